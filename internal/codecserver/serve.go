package codecserver

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
)

// serve runs Temporal's codec handler for op ("encode" or "decode") and
// turns its plain-text failures into the API's error model. The body is
// checked first, so the handler's 400 can only mean the codec refused the
// payloads. Neither payloads nor the codec's messages reach the response;
// the message is logged (codec errors name keys, never contents).
func (cr *routes) serve(op string) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		body, e := httpx.ReadJSON(c)
		if e != nil {
			return e
		}
		// The same parser the SDK's handler uses; its message would quote
		// the input, so it is not passed on.
		if err := protojson.Unmarshal(body, &commonpb.Payloads{}); err != nil {
			return httpx.BadRequest(filing.CodeInvalidJSON, "", `the body must be {"payloads": [...]}, Temporal payloads in protobuf JSON`)
		}

		inner := req.Clone(req.Context())
		// Only the operation: the path token goes no further.
		inner.URL = &url.URL{Path: "/" + op}
		inner.RequestURI = ""
		inner.Body = io.NopCloser(bytes.NewReader(body))
		inner.ContentLength = int64(len(body))
		w := &codecResponse{header: http.Header{}}
		cr.h.ServeHTTP(w, inner)

		if w.status == 0 || w.status == http.StatusOK {
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, w.body.Bytes())
		}
		msg := strings.TrimSpace(w.body.String())
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		if op == "decode" && w.status == http.StatusBadRequest {
			cr.log.WarnContext(req.Context(), "codec refused payloads",
				"request_id", httpx.RequestID(c), "route", c.Path(), "op", op, "err", msg)
			return &httpx.Error{Status: http.StatusBadRequest, Code: filing.CodeCodecFailed, Field: "payloads",
				Message: "a payload could not be decoded: it was encoded with a key this server does not hold, or altered"}
		}
		// Encoding fails only on the server's side (randomness, keys):
		// the error handler logs it and answers a generic 500.
		return errors.New("codec " + op + " failed (" + strconv.Itoa(w.status) + "): " + msg)
	}
}

// codecResponse buffers the answer of Temporal's codec handler.
type codecResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (w *codecResponse) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter: the first status counts.
func (w *codecResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *codecResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
