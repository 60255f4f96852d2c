package openapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
)

// Validator checks every /v1 request against the contract before a
// handler runs: parameters, headers and the JSON body, with the same codes
// and field paths the handlers use. Requests for routes the contract does
// not know pass through (Echo answers 404 or 405), as do the contract and
// docs endpoints themselves and the webhooks, whose signed raw bodies are
// read by webhook.Handler. Authentication is another middleware's job and
// runs before this one.
func Validator(log *slog.Logger) (echo.MiddlewareFunc, error) {
	spec, err := loadSpec()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !validatedPath(req.URL.Path) {
				return next(c)
			}
			route, params, err := spec.router.FindRoute(req)
			if err != nil {
				return next(c)
			}
			// A caller whose role may not use the operation is refused by
			// the role check after this middleware (403), whatever it sent.
			if p := auth.PrincipalOf(c); p.Role != "" && !slices.Contains(operationRoles(route.Operation), string(p.Role)) {
				return next(c)
			}
			if verr := spec.validate(c, route, params); verr != nil {
				if verr.Status == http.StatusBadRequest {
					log.DebugContext(req.Context(), "request breaks the API contract",
						"request_id", httpx.RequestID(c), "route", route.Path, "code", verr.Code, "field", verr.Field)
				}
				return verr
			}
			return next(c)
		}
	}, nil
}

// validatedPath says which requests the validator looks at.
func validatedPath(p string) bool {
	switch {
	case !strings.HasPrefix(p, "/v1/"):
		return false
	case p == "/v1/openapi.json", p == "/v1/docs", strings.HasPrefix(p, "/v1/webhooks/"):
		return false
	}
	return true
}

// validate checks the request and answers the first problem, with every
// problem in Details when there are several. The body is read, checked and
// put back, so the handler reads it again.
func (s *apiSpec) validate(c echo.Context, route *routers.Route, params map[string]string) *httpx.Error {
	req := c.Request()
	ctx := req.Context()
	// kin-openapi reads and may rewrite what it validates: it gets a copy.
	vreq := req.Clone(ctx)
	vreq.Body, vreq.ContentLength, vreq.GetBody = http.NoBody, 0, nil
	// An empty optional header is no header: the idempotency middleware
	// ignores an empty Idempotency-Key.
	for _, p := range route.Operation.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && !p.Value.Required && vreq.Header.Get(p.Value.Name) == "" {
			vreq.Header.Del(p.Value.Name)
		}
	}

	var raw []byte
	var value any
	var schema *openapi3.Schema
	if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil {
		b, err := readBody(req)
		if err != nil {
			return err
		}
		raw = b
		normalized, v, sch, perr := prepareBody(req, rb.Value, b)
		if perr != nil {
			return perr
		}
		if normalized != nil {
			value, schema = v, sch
			vreq.Body = io.NopCloser(bytes.NewReader(normalized))
			vreq.ContentLength = int64(len(normalized))
			vreq.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		}
	}

	err := openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			ExcludeRequestBody:  false,
			MultiError:          true,
			SkipSettingDefaults: true,
			// Our own authentication middleware runs before this one.
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
		},
	})
	if err == nil {
		return nil
	}
	var problems []problem
	collect(err, &problems, value, schema)
	if len(problems) == 0 {
		return httpx.BadRequest(filing.CodeInvalidValue, "", "the request does not match the API contract")
	}
	positions := docPositions(raw)
	for i := range problems {
		if problems[i].rank == rankDecode {
			problems[i].order = []int{positionOf(positions, problems[i].Field)}
		}
	}
	slices.SortStableFunc(problems, func(a, b problem) int {
		if a.status != b.status {
			// 415 before 400: the handlers check the content type first.
			return cmp.Compare(b.status, a.status)
		}
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		return slices.Compare(a.order, b.order)
	})
	first := problems[0]
	out := &httpx.Error{Status: first.status, Code: first.Code, Field: first.Field, Message: first.Message}
	if len(problems) > 1 {
		out.Details = problems
	}
	return out
}

// readBody reads the whole body (bounded by httpx.LimitBody's MaxBytesReader) and
// puts it back for the handler.
func readBody(req *http.Request) ([]byte, *httpx.Error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, e := httpx.ReadBody(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	if e != nil {
		return nil, e
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

// prepareBody checks what the handlers' decoder checks before any member:
// the content type, then one JSON value, an object. It returns the body as
// kin-openapi should see it: nil when there is no body to validate, else
// the body with Go's decoding rules applied (a null member is a missing
// one; a missing object is an empty one), so that the schema reports what
// the handler would.
func prepareBody(req *http.Request, rb *openapi3.RequestBody, b []byte) ([]byte, any, *openapi3.Schema, *httpx.Error) {
	if !rb.Required && req.ContentLength == 0 && len(b) == 0 {
		return nil, nil, nil, nil // e.g. submit: no body at all is fine
	}
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	media := rb.Content[mt]
	if err != nil || media == nil {
		return nil, nil, nil, &httpx.Error{Status: http.StatusUnsupportedMediaType, Code: filing.CodeUnsupportedMediaType,
			Message: "Content-Type must be " + strings.Join(slices.Sorted(maps.Keys(rb.Content)), " or ")}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil, nil, httpx.BadRequest(filing.CodeInvalidJSON, "", "the body is empty or truncated")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if e := httpx.DecodeOne(dec, &v); e != nil {
		return nil, nil, nil, e
	}
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	if schema != nil && schema.Type.Is(openapi3.TypeObject) {
		if v == nil {
			v = map[string]any{} // null decodes into a struct as nothing at all
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, nil, nil, httpx.BadRequest(filing.CodeInvalidJSON, "", "the body must be a JSON object")
		}
	}
	v = normalize(v, schema)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, nil, nil, httpx.BadRequest(filing.CodeInvalidJSON, "", "malformed JSON")
	}
	return out, v, schema, nil
}

// normalize applies Go's decoding rules to a decoded body: an object
// member that is null is as good as missing, and a required member that is
// an object and missing decodes as an empty one, whose own required members
// are then reported (the handlers name "subject.province", not "subject").
func normalize(v any, s *openapi3.Schema) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			var ps *openapi3.Schema
			if s != nil {
				if p := s.Properties[k]; p != nil {
					ps = p.Value
				}
			}
			if val == nil && (ps == nil || !ps.Nullable) {
				delete(x, k)
				continue
			}
			x[k] = normalize(val, ps)
		}
		if s != nil {
			for _, k := range s.Required {
				p := s.Properties[k]
				if _, ok := x[k]; ok || p == nil || p.Value == nil || !p.Value.Type.Is(openapi3.TypeObject) {
					continue
				}
				x[k] = normalize(map[string]any{}, p.Value)
			}
		}
	case []any:
		if s != nil && s.Items != nil {
			for i := range x {
				x[i] = normalize(x[i], s.Items.Value)
			}
		}
	}
	return v
}
