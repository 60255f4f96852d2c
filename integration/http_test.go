package integration

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// response is a decoded HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func do(t *testing.T, method, path, contentType string, body string) response {
	t.Helper()
	return doAt(t, sys.baseURL, method, path, contentType, body)
}

// doAt sends a request to the API at base.
func doAt(t *testing.T, base, method, path, contentType string, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out.Body), "body is not JSON: %s", raw)
	}
	return out
}

func postJSON(t *testing.T, path, body string) response {
	return do(t, http.MethodPost, path, "application/json", body)
}

func get(t *testing.T, path string) response {
	return do(t, http.MethodGet, path, "", "")
}
