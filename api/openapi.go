package api

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
)

// openAPIYAML is the API's contract: every endpoint, field, error code and
// example. It is the source of truth; the JSON served at /v1/openapi.json,
// the page at /v1/docs and the request validation all derive from it.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// apiSpec is the loaded contract with what is derived from it once.
type apiSpec struct {
	doc    *openapi3.T
	json   []byte
	router routers.Router
}

// loadSpec parses and validates the embedded contract once. A broken
// contract is a programming error that the package's tests catch.
var loadSpec = sync.OnceValues(func() (*apiSpec, error) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	// Origins give each property's line, which orders validation problems
	// the way the handlers check them (declaration order).
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml to JSON: %w", err)
	}
	// Route on paths alone, whatever host and scheme the API is reached
	// under: the router matches servers' URLs when there are any.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("api: route openapi.yaml: %w", err)
	}
	return &apiSpec{doc: doc, json: js, router: router}, nil
})

// specJSON is the contract as JSON, converted once; nil if it does not
// load (the tests make sure it does).
func specJSON() []byte {
	s, err := loadSpec()
	if err != nil {
		return nil
	}
	return s.json
}

// openAPIJSON serves the contract (GET /v1/openapi.json).
func (s *server) openAPIJSON(c echo.Context) error {
	js := specJSON()
	if js == nil {
		_, err := loadSpec()
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, js)
}

// openAPIValidator checks every /v1 request against the contract before a
// handler runs: parameters, headers and the JSON body, with the same codes
// and field paths the handlers use. Requests for routes the contract does
// not know pass through (Echo answers 404 or 405), as do the contract and
// docs endpoints themselves and the webhooks, whose signed raw bodies are
// read by webhook.Handler. Authentication is another middleware's job and
// runs before this one.
func openAPIValidator(log *slog.Logger) (echo.MiddlewareFunc, error) {
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
			if p := principalOf(c); p.Role != "" && !slices.Contains(operationRoles(route.Operation), string(p.Role)) {
				return next(c)
			}
			if verr := spec.validate(c, route, params); verr != nil {
				if verr.Status == http.StatusBadRequest {
					log.DebugContext(req.Context(), "request breaks the API contract",
						"request_id", requestID(c), "route", route.Path, "code", verr.Code, "field", verr.Field)
				}
				return verr
			}
			return next(c)
		}
	}, nil
}

// operationRoles reads an operation's x-roles.
func operationRoles(op *openapi3.Operation) []string {
	list, _ := op.Extensions["x-roles"].([]any)
	roles := make([]string, 0, len(list))
	for _, r := range list {
		if s, ok := r.(string); ok {
			roles = append(roles, s)
		}
	}
	return roles
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

// problem is one way a request breaks the contract.
type problem struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`

	status int
	rank   int   // 0 parameters, 1 decoding (type, unknown member), 2 values
	order  []int // within the rank: document position or declaration order
}

const (
	rankParameter = iota
	rankDecode
	rankValue
)

// validate checks the request and answers the first problem, with every
// problem in Details when there are several. The body is read, checked and
// put back, so the handler reads it again.
func (s *apiSpec) validate(c echo.Context, route *routers.Route, params map[string]string) *Error {
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
		return badRequest(filing.CodeInvalidValue, "", "the request does not match the API contract")
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
	out := &Error{Status: first.status, Code: first.Code, Field: first.Field, Message: first.Message}
	if len(problems) > 1 {
		out.Details = problems
	}
	return out
}

// readBody reads the whole body (bounded by limitBody's MaxBytesReader) and
// puts it back for the handler.
func readBody(req *http.Request) ([]byte, *Error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: filing.CodeBodyTooLarge, Message: "request body too large"}
		}
		return nil, badRequest(filing.CodeInvalidJSON, "", "could not read the request body")
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
func prepareBody(req *http.Request, rb *openapi3.RequestBody, b []byte) ([]byte, any, *openapi3.Schema, *Error) {
	if !rb.Required && req.ContentLength == 0 && len(b) == 0 {
		return nil, nil, nil, nil // e.g. submit: no body at all is fine
	}
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	media := rb.Content[mt]
	if err != nil || media == nil {
		return nil, nil, nil, &Error{Status: http.StatusUnsupportedMediaType, Code: filing.CodeUnsupportedMediaType,
			Message: "Content-Type must be " + strings.Join(slices.Sorted(maps.Keys(rb.Content)), " or ")}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "the body is empty or truncated")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &syntaxErr):
			return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "malformed JSON at byte %d", syntaxErr.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "the body is empty or truncated")
		default:
			return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "malformed JSON")
		}
	}
	if dec.More() {
		return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "the body must hold exactly one JSON object")
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
			return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "the body must be a JSON object")
		}
	}
	v = normalize(v, schema)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, nil, nil, badRequest(filing.CodeInvalidJSON, "", "malformed JSON")
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

// collect turns kin-openapi's errors into problems.
func collect(err error, out *[]problem, body any, root *openapi3.Schema) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			collect(inner, out, body, root)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			if me, ok := e.Err.(openapi3.MultiError); ok && len(me) > 0 {
				e.Err = me[0] // one problem per parameter is enough
			}
			*out = append(*out, parameterProblem(e.Parameter, e.Err))
		case e.RequestBody != nil:
			if me, ok := e.Err.(openapi3.MultiError); ok {
				for _, inner := range me {
					*out = append(*out, bodyProblems(inner, body, root)...)
				}
				return
			}
			if e.Err == nil && strings.HasPrefix(e.Reason, "header Content-Type has unexpected value") {
				*out = append(*out, problem{Code: filing.CodeUnsupportedMediaType, Message: "Content-Type must be application/json",
					status: http.StatusUnsupportedMediaType})
				return
			}
			*out = append(*out, bodyProblems(e.Err, body, root)...)
		default:
			*out = append(*out, problem{Code: filing.CodeInvalidValue, Message: "the request does not match the API contract",
				status: http.StatusBadRequest, rank: rankValue})
		}
	default:
		*out = append(*out, problem{Code: filing.CodeInvalidValue, Message: "the request does not match the API contract",
			status: http.StatusBadRequest, rank: rankValue})
	}
}

// parameterProblem maps a bad path, query or header parameter.
func parameterProblem(p *openapi3.Parameter, err error) problem {
	pr := problem{Code: filing.CodeInvalidValue, Field: p.Name, status: http.StatusBadRequest, rank: rankParameter}
	if p.In == openapi3.ParameterInHeader && strings.EqualFold(p.Name, "Idempotency-Key") {
		pr.Code = filing.CodeInvalidIdempotencyKey
		pr.Message = "Idempotency-Key must be 1-255 printable ASCII characters without spaces"
		return pr
	}
	var schemaErr *openapi3.SchemaError
	var parseErr *openapi3filter.ParseError
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		pr.Code = filing.CodeRequired
		pr.Message = fmt.Sprintf("%s parameter %s is required", p.In, p.Name)
	case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		pr.Message = fmt.Sprintf("%s must not be empty", p.Name)
	case errors.As(err, &schemaErr):
		pr.Message = expectation(p.Name, schemaErr)
	case errors.As(err, &parseErr):
		pr.Message = fmt.Sprintf("%s must be %s", p.Name, typeWords(p.Schema))
	default:
		pr.Message = fmt.Sprintf("%s is not accepted", p.Name)
	}
	return pr
}

func typeWords(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil || ref.Value.Type == nil || len(*ref.Value.Type) == 0 {
		return "a valid value"
	}
	s := ref.Value
	switch t := (*s.Type)[0]; t {
	case openapi3.TypeArray:
		if s.Items != nil {
			return "a comma-separated list of " + strings.TrimPrefix(typeWords(s.Items), "a ") + "s"
		}
		return "a list"
	case openapi3.TypeInteger:
		return "an integer"
	case openapi3.TypeBoolean:
		return "true or false"
	default:
		if s.Format != "" {
			return "a " + s.Format
		}
		return "a " + t
	}
}

// bodyProblems maps schema errors of the body. Field paths are the
// handlers' notation: members joined with dots, array indexes in brackets.
func bodyProblems(err error, body any, root *openapi3.Schema) []problem {
	var schemaErr *openapi3.SchemaError
	if !errors.As(err, &schemaErr) {
		if me, ok := err.(openapi3.MultiError); ok {
			var out []problem
			for _, inner := range me {
				out = append(out, bodyProblems(inner, body, root)...)
			}
			return out
		}
		return []problem{{Code: filing.CodeInvalidJSON, Message: "the body could not be read as JSON", status: http.StatusBadRequest, rank: rankDecode}}
	}
	e := schemaErr
	ptr := e.JSONPointer()
	pr := problem{status: http.StatusBadRequest}
	switch e.SchemaField {
	case "properties":
		key, ok := unsupportedProperty(e.Reason)
		if !ok {
			key = "?"
		}
		pr.Code, pr.rank = filing.CodeUnknownField, rankDecode
		pr.Field = fieldPath(body, append(slices.Clone(ptr), key))
		pr.Message = fmt.Sprintf("unknown field %q", pr.Field)
		return []problem{pr}
	case "type":
		pr.Code, pr.rank = filing.CodeInvalidType, rankDecode
		pr.Field = fieldPath(body, ptr)
		pr.Message = fmt.Sprintf("%s must be a JSON %s", subject(pr.Field), jsonKindOf(e.Schema))
		return []problem{pr}
	case "nullable":
		pr.Code, pr.rank = filing.CodeInvalidType, rankDecode
		pr.Field = fieldPath(body, ptr)
		pr.Message = fmt.Sprintf("%s must not be null", subject(pr.Field))
		return []problem{pr}
	case "required":
		pr.Code, pr.rank = filing.CodeRequired, rankValue
	default:
		pr.Code, pr.rank = filing.CodeInvalidValue, rankValue
	}
	pr.Field = fieldPath(body, ptr)
	pr.order = declarationOrder(root, ptr)
	if pr.Code == filing.CodeRequired {
		pr.Message = subject(pr.Field) + " is required"
	} else {
		pr.Message = expectation(subject(pr.Field), e)
	}
	return []problem{pr}
}

func subject(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

// unsupportedProperty reads the member's name from kin-openapi's reason
// `property "k" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	quoted, ok := strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	k, err := strconv.Unquote(quoted)
	return k, err == nil
}

// jsonKindOf names the JSON type a schema wants, as the handlers do.
func jsonKindOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		return "value of another type"
	}
	switch t := (*s.Type)[0]; t {
	case openapi3.TypeInteger:
		return "number"
	default:
		return t
	}
}

// expectation says what a value should have been, never what it was: the
// value may be personal data.
func expectation(name string, e *openapi3.SchemaError) string {
	s := e.Schema
	if s == nil {
		return name + " is not accepted"
	}
	// The contract may say it in the handler's words.
	if msg, ok := s.Extensions["x-invalid-message"].(string); ok && msg != "" {
		return msg
	}
	switch e.SchemaField {
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return fmt.Sprintf("%s must be one of %s", name, strings.Join(vals, ", "))
	case "pattern":
		return fmt.Sprintf("%s must match %s", name, s.Pattern)
	case "format":
		if s.Format == "date-time" {
			return name + " must be an RFC 3339 date-time such as 2026-11-02T10:00:00Z"
		}
		return fmt.Sprintf("%s must be a valid %s", name, s.Format)
	case "minimum", "exclusiveMinimum":
		if s.Min != nil {
			return fmt.Sprintf("%s must be at least %s", name, strconv.FormatFloat(*s.Min, 'f', -1, 64))
		}
	case "maximum", "exclusiveMaximum":
		if s.Max != nil {
			return fmt.Sprintf("%s must be at most %s", name, strconv.FormatFloat(*s.Max, 'f', -1, 64))
		}
	case "minLength":
		return fmt.Sprintf("%s must be at least %d characters long", name, s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("%s must be at most %d characters long", name, *s.MaxLength)
		}
	case "minItems":
		return fmt.Sprintf("%s must have at least %d items", name, s.MinItems)
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("%s must have at most %d items", name, *s.MaxItems)
		}
	case "minProperties", "maxProperties":
		if s.MinProps == 1 && s.MaxProps != nil && *s.MaxProps == 1 {
			names := propertyNames(s)
			for i, n := range names {
				names[i] = name + "." + n
			}
			return "give exactly one of " + strings.Join(names, " and ")
		}
		if e.SchemaField == "minProperties" {
			return fmt.Sprintf("%s must have at least %d members", name, s.MinProps)
		}
		if s.MaxProps != nil {
			return fmt.Sprintf("%s must have at most %d members", name, *s.MaxProps)
		}
	case "uniqueItems":
		return name + " must not repeat items"
	}
	return name + " is not accepted"
}

// propertyNames lists a schema's properties in declaration order.
func propertyNames(s *openapi3.Schema) []string {
	names := slices.Collect(maps.Keys(s.Properties))
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(line(s.Properties[a]), line(s.Properties[b])), strings.Compare(a, b))
	})
	return names
}

func line(ref *openapi3.SchemaRef) int {
	if ref != nil && ref.Origin != nil && ref.Origin.Key != nil {
		return ref.Origin.Key.Line
	}
	return 1 << 29
}

// fieldPath writes a JSON pointer in the handlers' notation, using the
// body to tell array indexes from member names.
func fieldPath(body any, ptr []string) string {
	var b strings.Builder
	cur := body
	for _, seg := range ptr {
		if arr, ok := cur.([]any); ok {
			b.WriteString("[" + seg + "]")
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(arr) {
				cur = arr[i]
			} else {
				cur = nil
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
		if m, ok := cur.(map[string]any); ok {
			cur = m[seg]
		} else {
			cur = nil
		}
	}
	return b.String()
}

// declarationOrder ranks a pointer by where its members are declared in
// the contract (which lists them in the order the handlers check them),
// and by index within arrays.
func declarationOrder(root *openapi3.Schema, ptr []string) []int {
	out := make([]int, 0, len(ptr))
	s := root
	for _, seg := range ptr {
		if s == nil {
			out = append(out, 1<<30)
			continue
		}
		if s.Type.Is(openapi3.TypeArray) {
			i, _ := strconv.Atoi(seg)
			out = append(out, i)
			if s.Items != nil {
				s = s.Items.Value
			} else {
				s = nil
			}
			continue
		}
		p := s.Properties[seg]
		out = append(out, line(p))
		if p != nil {
			s = p.Value
		} else {
			s = nil
		}
	}
	return out
}

// docPositions numbers every member and array item of a JSON body in the
// order it appears, keyed by field path: decoding problems are reported in
// that order, as Go's decoder finds them.
func docPositions(body []byte) map[string]int {
	pos := map[string]int{}
	if len(body) == 0 {
		return pos
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	n := 0
	var walk func(path string, depth int) error
	walk = func(path string, depth int) error {
		if depth > 64 {
			return errors.New("too deep")
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := k
				if path != "" {
					p = path + "." + k
				}
				if _, seen := pos[p]; !seen {
					n++
					pos[p] = n
				}
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				p := path + "[" + strconv.Itoa(i) + "]"
				if _, seen := pos[p]; !seen {
					n++
					pos[p] = n
				}
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	_ = walk("", 0)
	return pos
}

func positionOf(pos map[string]int, field string) int {
	if n, ok := pos[field]; ok {
		return n
	}
	return 1 << 30
}
