package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/store"
)

// response is a decoded HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func do(t testing.TB, method, path, contentType string, body string) response {
	t.Helper()
	return doAt(t, sys.baseURL, method, path, contentType, body)
}

// doAt sends a request to the API at base.
func doAt(t testing.TB, base, method, path, contentType string, body string) response {
	t.Helper()
	return doAtWith(t, base, method, path, contentType, body, nil)
}

// doAtWith is doAt with extra request headers (an Idempotency-Key).
func doAtWith(t testing.TB, base, method, path, contentType string, body string, header map[string]string) response {
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
	if strings.HasPrefix(path, "/v1/") {
		req.Header.Set("Authorization", "Bearer "+keyForRequest(t, base, method, path, body))
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/pdf") {
		require.NoError(t, json.Unmarshal(raw, &out.Body), "body is not JSON: %s", raw)
	}
	if method == http.MethodPost && path == "/v1/filings" && out.Status == http.StatusCreated {
		callers.Lock()
		callers.owner[out.Body["filing_id"].(string)] = out.Body["account_id"].(string)
		callers.Unlock()
	}
	return out
}

// defaultAccount is the account of requests whose account the test does
// not name.
const defaultAccount = "acc-it"

// callers holds the API keys the tests present: one per API (each has its
// database), role and account, issued on first use.
var callers = struct {
	sync.Mutex
	dbs   map[string]*store.DB
	keys  map[string]string
	owner map[string]string
}{dbs: map[string]*store.DB{}, keys: map[string]string{}, owner: map[string]string{}}

// own tells the harness the account of a filing started without the API.
func own(filingID, account string) {
	callers.Lock()
	defer callers.Unlock()
	callers.owner[filingID] = account
}

// registerAPI tells the harness which database holds the keys of the API
// at base.
func registerAPI(base string, db *store.DB) {
	callers.Lock()
	defer callers.Unlock()
	callers.dbs[base] = db
}

// keyFor returns an API key of role (and account, for backend keys) valid
// at the API at base.
func keyFor(t testing.TB, base string, role api.Role, account string) string {
	t.Helper()
	callers.Lock()
	defer callers.Unlock()
	id := base + "|" + string(role) + "|" + account
	if k, ok := callers.keys[id]; ok {
		return k
	}
	db := callers.dbs[base]
	require.NotNil(t, db, "no database registered for the API at %s", base)
	k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(db), string(role), account, "integration test", time.Now())
	require.NoError(t, err)
	callers.keys[id] = k.Token
	return k.Token
}

// keyForRequest picks the key a real caller of that endpoint would hold:
// reviewers decide reviews, support delivers outside events by hand, and
// the backend of the filing's account does the rest.
func keyForRequest(t testing.TB, base, method, path, body string) string {
	t.Helper()
	switch {
	case strings.HasSuffix(path, "/initial-review"), strings.HasSuffix(path, "/photo-review"),
		strings.HasPrefix(path, "/v1/review-queues"):
		return keyFor(t, base, api.RoleReviewer, "")
	case strings.HasSuffix(path, "/verification-result"), strings.HasSuffix(path, "/courier-events"),
		strings.Contains(path, "/bureau-events/"):
		return keyFor(t, base, api.RoleSupport, "")
	case method == http.MethodPost && path == "/v1/filings":
		var req struct {
			AccountID string `json:"account_id"`
		}
		if json.Unmarshal([]byte(body), &req) == nil && accountLike(req.AccountID) {
			return keyFor(t, base, api.RoleBackend, req.AccountID)
		}
		return keyFor(t, base, api.RoleBackend, defaultAccount)
	}
	if rest, ok := strings.CutPrefix(path, "/v1/filings/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		callers.Lock()
		account, known := callers.owner[id]
		callers.Unlock()
		if known {
			return keyFor(t, base, api.RoleBackend, account)
		}
	}
	return keyFor(t, base, api.RoleBackend, defaultAccount)
}

func accountLike(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_.:-", c)) {
			return false
		}
	}
	return true
}

func postJSON(t testing.TB, path, body string) response {
	return do(t, http.MethodPost, path, "application/json", body)
}

func get(t testing.TB, path string) response {
	return do(t, http.MethodGet, path, "", "")
}
