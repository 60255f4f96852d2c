package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/httpx/httpxtest"
)

func TestOpenAPISpecLoadsAndValidates(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", spec.doc.OpenAPI)
	}
	// The served JSON is itself a valid document with the same operations.
	js := specJSON()
	if !json.Valid(js) {
		t.Fatal("specJSON is not JSON")
	}
	if strings.Contains(string(js), "__origin__") || strings.Contains(string(js), `"origin"`) {
		t.Error("the served JSON leaks source positions")
	}
	back, err := openapi3.NewLoader().LoadFromData(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(context.Background()); err != nil {
		t.Fatalf("served JSON does not validate: %v", err)
	}
	if got, want := len(back.Paths.Map()), len(spec.doc.Paths.Map()); got != want {
		t.Errorf("served JSON has %d paths, the YAML %d", got, want)
	}
	// Every operation documents its roles, and every /v1 operation but the
	// open ones (the contract, webhooks signed by their sender, documents'
	// download URLs that carry their own signature) needs the API key.
	for path, item := range spec.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, ok := op.Extensions["x-roles"]; !ok {
				t.Errorf("%s %s has no x-roles", method, path)
			}
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s %s lacks an operationId, summary or description", method, path)
			}
			open := op.Security != nil
			secured := strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/v1/webhooks/") &&
				path != "/v1/openapi.json" && path != "/v1/docs" && path != "/v1/documents/{token}"
			if secured == open {
				t.Errorf("%s %s: security %v, want the API key: %v", method, path, op.Security, secured)
			}
			if secured && len(operationRoles(op)) == 0 {
				t.Errorf("%s %s is secured but admits no role", method, path)
			}
			if method == http.MethodPost && secured && op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
				t.Errorf("POST %s does not take Idempotency-Key", path)
			}
			for code, resp := range op.Responses.Map() {
				if _, ok := resp.Value.Headers["X-Request-ID"]; !ok {
					t.Errorf("%s %s %s does not document X-Request-ID", method, path, code)
				}
			}
		}
	}
}

// TestOpenAPISpecErrorCodesCoverTheCode keeps the documented codes in step
// with the contract's constants (package filing) and the rules package.
func TestOpenAPISpecErrorCodesCoverTheCode(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, item := range spec.doc.Extensions["x-error-codes"].([]any) {
		documented[item.(map[string]any)["code"].(string)] = true
	}
	for _, c := range []string{filing.CodeInvalidJSON, filing.CodeInvalidType, filing.CodeUnknownField, filing.CodeRequired, filing.CodeInvalidValue,
		filing.CodeUnsupportedMediaType, filing.CodeBodyTooLarge, filing.CodeFilingNotFound, filing.CodeRevisionNotFound, filing.CodeClaimHeld, filing.CodeFilingNotEnded, filing.CodePersonalDataErased, filing.CodeDownloadURLInvalid, filing.CodeDownloadURLExpired, filing.CodeWebhookEndpointNotFound, filing.CodeWebhookEndpointLimit, filing.CodeEventNotFound, filing.CodeRouteNotFound, filing.CodeMethodNotAllowed,
		filing.CodeStageConflict, filing.CodeInvalidAction, filing.CodeApplicationInvalid, filing.CodeSubjectBusy, filing.CodeFilingClosed,
		filing.CodeMaterialRejected, filing.CodeFilingExists, filing.CodeUnavailable, filing.CodeInternal, filing.CodeUnauthorized, filing.CodeForbidden,
		filing.CodeAccountMismatch, filing.CodeRateLimited, filing.CodeInvalidIdempotencyKey, filing.CodeIdempotencyKeyReused,
		filing.CodeIdempotencyInProgress, "invalid_cursor", filing.CodeWorkflowTaskFailing, filing.CodeNothingToRetry, filing.CodeStageNotReached, filing.CodeAlreadyAtStageStart, filing.CodeCodecFailed} {
		if !documented[c] {
			t.Errorf("error code %s is not in x-error-codes", c)
		}
		if !strings.Contains(spec.doc.Components.Schemas["Error"].Value.Properties["code"].Value.Description, "`"+c+"`") {
			t.Errorf("error code %s is not listed in Error.code's description", c)
		}
	}
	ruleCodes := map[string]bool{}
	for _, c := range spec.doc.Extensions["x-rule-codes"].([]any) {
		ruleCodes[c.(string)] = true
	}
	// Every rule code the rules package declares (codes.go) is listed.
	src, err := readRuleCodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range src {
		if !ruleCodes[c] {
			t.Errorf("rule code %s is not in x-rule-codes", c)
		}
	}
}

func readRuleCodes() ([]string, error) {
	b, err := readFile(filepath.Join("..", "..", "rules", "codes.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range regexp.MustCompile(`Code = "([a-z_.]+)"`).FindAllStringSubmatch(b, -1) {
		out = append(out, m[1])
	}
	if len(out) < 50 {
		return nil, fmt.Errorf("found only %d rule codes in rules/codes.go", len(out))
	}
	return out, nil
}

// jsonUnmarshal is json.Unmarshal for tests that name a constant json.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}

// TestOpenAPIExamplesMatchTheirSchemas checks every example of the contract
// against its schema, and that it uses no member the schema does not
// declare (response schemas are open, so a misspelt member would pass).
func TestOpenAPIExamplesMatchTheirSchemas(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	check := func(where string, schema *openapi3.SchemaRef, value any) {
		t.Helper()
		if schema == nil || schema.Value == nil || value == nil {
			return
		}
		count++
		if err := schema.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
			t.Errorf("%s: example does not match its schema: %v", where, err)
		}
		for _, p := range undeclaredMembers(schema.Value, value, "") {
			t.Errorf("%s: example member %s is not declared in the schema", where, p)
		}
	}
	media := func(where string, m *openapi3.MediaType) {
		if m == nil {
			return
		}
		check(where+" example", m.Schema, m.Example)
		for name, ex := range m.Examples {
			if ex.Value == nil {
				t.Errorf("%s example %s does not resolve", where, name)
				continue
			}
			check(where+" example "+name, m.Schema, ex.Value.Value)
		}
	}
	for path, item := range spec.doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			for _, p := range op.Parameters {
				if p.Value.Example != nil {
					check(where+" parameter "+p.Value.Name, p.Value.Schema, p.Value.Example)
				}
			}
			if op.RequestBody != nil {
				for ct, m := range op.RequestBody.Value.Content {
					media(where+" request "+ct, m)
				}
			}
			for code, r := range op.Responses.Map() {
				for ct, m := range r.Value.Content {
					media(fmt.Sprintf("%s %s %s", where, code, ct), m)
				}
			}
		}
	}
	for name, s := range spec.doc.Components.Schemas {
		check("schema "+name, s, s.Value.Example)
		for prop, p := range s.Value.Properties {
			check("schema "+name+"."+prop, p, p.Value.Example)
		}
	}
	if count < 100 {
		t.Errorf("only %d examples checked", count)
	}
}

// undeclaredMembers lists members of value that schema does not declare.
func undeclaredMembers(s *openapi3.Schema, value any, path string) []string {
	var out []string
	switch v := value.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		var required []string
		collectProperties(s, props, &required)
		open := s.AdditionalProperties.Schema != nil || len(props) == 0
		for k, val := range v {
			p, ok := props[k]
			switch {
			case ok && p.Value != nil:
				out = append(out, undeclaredMembers(p.Value, val, path+"."+k)...)
			case !open:
				out = append(out, path+"."+k)
			}
		}
	case []any:
		if s.Items != nil && s.Items.Value != nil {
			for i, item := range v {
				out = append(out, undeclaredMembers(s.Items.Value, item, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

// validatorApp is a small API with the validator in front of handlers that
// echo the body they read.
func validatorApp(t *testing.T) *echo.Echo {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	mw, err := Validator(log)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(log)
	e.Use(httpx.LimitBody(httpx.MaxBodyBytes))
	v1 := e.Group("/v1")
	v1.Use(mw)
	echoBody := func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"handled": true, "body": string(b), "content_length": c.Request().ContentLength})
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/filings"}, {http.MethodGet, "/filings"}, {http.MethodPost, "/filings/validate"},
		{http.MethodGet, "/filings/:id"}, {http.MethodPut, "/filings/:id/application"},
		{http.MethodPost, "/filings/:id/uploads"}, {http.MethodPost, "/filings/:id/materials"},
		{http.MethodPost, "/filings/:id/submit"}, {http.MethodPost, "/filings/:id/cancel"},
		{http.MethodPost, "/filings/:id/mailing-address"}, {http.MethodPost, "/filings/:id/courier-events"},
		{http.MethodPost, "/filings/:id/initial-review"},
		{http.MethodGet, "/review-queues/:queue"}, {http.MethodPost, "/not-in-the-contract"},
	} {
		v1.Add(r.method, r.path, echoBody)
	}
	e.POST("/v1/webhooks/bureau", echoBody)
	return e
}

const fid = "01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d"

func TestOpenAPIValidatorRefusesRequestsThatBreakTheContract(t *testing.T) {
	e := validatorApp(t)
	const json = "application/json"
	valid := `{"account_id":"acc-1","subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license","certificate_number":"91330106MA27UK8P01"},"domain":"example.com","product":{"instance_id":"i-acc-1-web"}}`
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := jsonUnmarshal(valid, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		return httpxtest.MustJSON(m)
	}
	subject := func(m map[string]any) map[string]any { return m["subject"].(map[string]any) }
	cases := []struct {
		name, method, path, contentType, body string
		header                                []string
		status                                int
		code, field                           string
	}{
		{"missing required member", "POST", "/v1/filings", json, edit(func(m map[string]any) { delete(subject(m), "province") }), nil, 400, "required", "subject.province"},
		{"missing object reports its first member", "POST", "/v1/filings", json, edit(func(m map[string]any) { delete(m, "subject") }), nil, 400, "required", "subject.province"},
		{"null is missing", "POST", "/v1/filings", json, edit(func(m map[string]any) { m["domain"] = nil }), nil, 400, "required", "domain"},
		{"handler order", "POST", "/v1/filings", json, edit(func(m map[string]any) { delete(m, "domain"); delete(subject(m), "nature") }), nil, 400, "required", "subject.nature"},
		{"unknown member", "POST", "/v1/filings", json, edit(func(m map[string]any) { m["provnce"] = "ZJ" }), nil, 400, "unknown_field", "provnce"},
		{"unknown nested member", "POST", "/v1/filings", json, edit(func(m map[string]any) { subject(m)["nmae"] = "x" }), nil, 400, "unknown_field", "subject.nmae"}, //nolint:misspell // an unknown member on purpose
		{"wrong type", "POST", "/v1/filings", json, edit(func(m map[string]any) { subject(m)["province"] = 42 }), nil, 400, "invalid_type", "subject.province"},
		{"decode problems before value problems", "POST", "/v1/filings", json, edit(func(m map[string]any) { delete(m, "domain"); m["zzz"] = 1 }), nil, 400, "unknown_field", "zzz"},
		{"first decode problem in document order", "POST", "/v1/filings", json, `{"subject":{"province":1},"aaa":1}`, nil, 400, "invalid_type", "subject.province"},
		{"pattern", "POST", "/v1/filings", json, edit(func(m map[string]any) { m["account_id"] = "a b" }), nil, 400, "invalid_value", "account_id"},
		{"exactly one product", "POST", "/v1/filings", json, edit(func(m map[string]any) {
			m["product"] = map[string]any{"instance_id": "i-1", "service_number": "A1B2C3D4E5F6"}
		}), nil, 400, "invalid_value", "product"},
		{"no product", "POST", "/v1/filings", json, edit(func(m map[string]any) { delete(m, "product") }), nil, 400, "invalid_value", "product"},
		{"malformed JSON", "POST", "/v1/filings", json, `{"account_id": "a",`, nil, 400, "invalid_json", ""},
		{"not an object", "POST", "/v1/filings", json, `["ZJ"]`, nil, 400, "invalid_json", ""},
		{"two objects", "POST", "/v1/filings", json, valid + `{}`, nil, 400, "invalid_json", ""},
		{"empty body", "POST", "/v1/filings", json, ``, nil, 400, "invalid_json", ""},
		{"wrong content type", "POST", "/v1/filings", "text/plain", valid, nil, 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/v1/filings/validate", "", `{}`, nil, 415, "unsupported_media_type", ""},
		{"array index in path", "POST", "/v1/filings/validate", json, `{"websites":[{"domain":"a.cn"},{"domain":7}]}`, nil, 400, "invalid_type", "websites[1].domain"},
		{"unknown member in array", "POST", "/v1/filings/validate", json, `{"websites":[{"domian":"a.cn"}]}`, nil, 400, "unknown_field", "websites[0].domian"},
		{"enum", "POST", "/v1/filings/" + fid + "/uploads", json, `{"kind":"selfie","content_type":"image/png","size":1,"sha256":"` + strings.Repeat("a", 64) + `"}`, nil, 400, "invalid_value", "kind"},
		{"minimum", "POST", "/v1/filings/" + fid + "/uploads", json, `{"kind":"photo","content_type":"image/png","size":0,"sha256":"` + strings.Repeat("a", 64) + `"}`, nil, 400, "invalid_value", "size"},
		{"integer", "POST", "/v1/filings/" + fid + "/uploads", json, `{"kind":"photo","content_type":"image/png","size":1.5}`, nil, 400, "invalid_type", "size"},
		{"date-time", "POST", "/v1/filings/" + fid + "/courier-events", json, `{"tracking_number":"SF1","delivered_at":"yesterday"}`, nil, 400, "invalid_value", "delivered_at"},
		{"reason code", "POST", "/v1/filings/" + fid + "/cancel", json, `{"reason":"my name is Zhang San"}`, nil, 400, "invalid_value", "reason"},
		{"cancel needs a body", "POST", "/v1/filings/" + fid + "/cancel", "", ``, nil, 415, "unsupported_media_type", ""},
		{"submit takes no members", "POST", "/v1/filings/" + fid + "/submit", json, `{"now":true}`, nil, 400, "unknown_field", "now"},
		{"recipient name", "POST", "/v1/filings/" + fid + "/mailing-address", json, `{"address":{"province":"ZJ"}}`, nil, 400, "required", "recipient.name"},
		{"query enum", "GET", "/v1/filings?sort=name", "", ``, nil, 400, "invalid_value", "sort"},
		{"query enum in a list", "GET", "/v1/filings?stage=information,bogus", "", ``, nil, 400, "invalid_value", "stage"},
		{"query integer", "GET", "/v1/filings?limit=many", "", ``, nil, 400, "invalid_value", "limit"},
		{"query range", "GET", "/v1/filings?limit=201", "", ``, nil, 400, "invalid_value", "limit"},
		{"query boolean", "GET", "/v1/filings?overdue=yes", "", ``, nil, 400, "invalid_value", "overdue"},
		{"query pattern", "GET", "/v1/filings?step=Awaiting", "", ``, nil, 400, "invalid_value", "step"},
		{"idempotency key", "POST", "/v1/filings/validate", json, `{}`, []string{"Idempotency-Key", "has spaces"}, 400, "invalid_idempotency_key", "Idempotency-Key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := httpxtest.Call(t, e, tc.method, tc.path, tc.contentType, tc.body, tc.header...)
			if res.Status != tc.status || res.Body["code"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", res.Status, res.Body, tc.status, tc.code)
			}
			if got, _ := res.Body["field"].(string); got != tc.field {
				t.Errorf("field = %q, want %q (%v)", got, tc.field, res.Body)
			}
			if res.Body["handled"] != nil {
				t.Error("the handler ran")
			}
			if msg, _ := res.Body["message"].(string); msg == "" {
				t.Error("no message")
			}
		})
	}
}

func TestOpenAPIValidatorListsEveryProblemAndNeverEchoesValues(t *testing.T) {
	e := validatorApp(t)
	secret := "330106198503121231"
	body := `{"subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license","certificate_number":"` + secret + `","x":1},"account_id":"a b ` + secret + `","domain":7}`
	res := httpxtest.Call(t, e, "POST", "/v1/filings", "application/json", body)
	if res.Status != 400 {
		t.Fatalf("status %d: %v", res.Status, res.Body)
	}
	raw := httpxtest.MustJSON(res.Body)
	if strings.Contains(raw, secret) {
		t.Errorf("the answer repeats a submitted value: %s", raw)
	}
	details, _ := res.Body["details"].([]any)
	var got []string
	for _, d := range details {
		m := d.(map[string]any)
		got = append(got, m["code"].(string)+" "+m["field"].(string))
	}
	// Decoding problems in document order first, then values in the order
	// the handler checks them.
	want := []string{"unknown_field subject.x", "invalid_type domain", "invalid_value account_id", "invalid_value product"}
	if !slices.Equal(got, want) {
		t.Errorf("details = %v, want %v", got, want)
	}
	if res.Body["code"] != "unknown_field" || res.Body["field"] != "subject.x" {
		t.Errorf("the first problem is not on top: %v", res.Body)
	}
}

func TestOpenAPIValidatorPassesValidRequestsWithTheirBody(t *testing.T) {
	e := validatorApp(t)
	for _, tc := range []struct{ method, path, contentType, body string }{
		{"POST", "/v1/filings", "application/json; charset=utf-8", `{"subject":{"province":"CN-zj","nature":"enterprise","certificate_type":"business_license","certificate_number":"91330106MA27UK8P01"},"domain":"例子.中国","product":{"service_number":"A1B2C3D4E5F6"}}`},
		{"POST", "/v1/filings/validate", "application/json", `{"subject":{"province":"ZJ","nature":null},"websites":[{"domain":"example.io"}]}`},
		{"POST", "/v1/filings/validate", "application/json", `null`},
		{"PUT", "/v1/filings/" + fid + "/application", "application/json", `{"subject":{"leader":{"is_legal_representative":true}},"product":{"cloud_instance":null}}`},
		{"POST", "/v1/filings/" + fid + "/submit", "", ``},
		{"POST", "/v1/filings/" + fid + "/submit", "application/json", `{}`},
		{"POST", "/v1/filings/" + fid + "/cancel", "application/json", `{}`},
		{"POST", "/v1/filings/" + fid + "/cancel", "application/json", `{"reason":""}`},
		{"POST", "/v1/filings/" + fid + "/materials", "application/json", `{"kind":"leader_id","object_key":"filings/` + fid + `/materials/x","size":10,"sha256":"00"}`},
		{"POST", "/v1/filings/" + fid + "/mailing-address", "application/json", `{"recipient":{"name":"李娜","mobile":"+86 137 0013 7000"}}`},
		{"POST", "/v1/filings/" + fid + "/initial-review", "application/json", `{"approve":false,"reviewer":"staff-9","reasons":[{"field":"websites[0].name","code":"name_mismatch"}]}`},
		{"GET", "/v1/filings?stage=information,initial_review&limit=200&overdue=true&created_from=2026-11-01T00:00:00Z&sort=-deadline&cursor=abc&account_id=acc-1", "", ``},
		{"GET", "/v1/filings/not-a-uuid", "", ``},
		{"GET", "/v1/filings?stage=initial_review,%20photo_verification&stage=bureau_review&created_from=2026-09-01T00:00:00+08:00", "", ``},
		{"GET", "/v1/review-queues/photo", "", ``},
		{"GET", "/v1/review-queues/bureau", "", ``}, // the handler answers 404
		// Not validated: outside the contract, or read raw by their handler.
		{"POST", "/v1/not-in-the-contract", "text/plain", `anything`},
		{"POST", "/v1/webhooks/bureau", "application/json", `{"receipt_id":"R","filing_id":"F","state":"approved","extra":1}`},
		{"POST", "/v1/filings/validate", "application/json", `{}`},
	} {
		// An empty Idempotency-Key is no key at all (the idempotency
		// middleware ignores it too); a well-formed one passes.
		key := "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		if strings.Contains(tc.body, "null") {
			key = ""
		}
		res := httpxtest.Call(t, e, tc.method, tc.path, tc.contentType, tc.body, "Idempotency-Key", key, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
		if res.Status != http.StatusOK || res.Body["handled"] != true {
			t.Errorf("%s %s %s: got %d %v", tc.method, tc.path, tc.body, res.Status, res.Body)
			continue
		}
		if res.Body["body"] != tc.body {
			t.Errorf("%s %s: the handler read %q, want the body as sent %q", tc.method, tc.path, res.Body["body"], tc.body)
		}
		if got := int(res.Body["content_length"].(float64)); got != len(tc.body) {
			t.Errorf("%s %s: Content-Length %d changed to %d", tc.method, tc.path, len(tc.body), got)
		}
	}
}

func TestOpenAPIValidatorLeavesUnknownRoutesAndMethodsToEcho(t *testing.T) {
	e := validatorApp(t)
	for _, r := range [][2]string{{"GET", "/v1/nothing"}, {"DELETE", "/v1/filings"}, {"PATCH", "/v1/filings/" + fid}} {
		res := httpxtest.Call(t, e, r[0], r[1], "application/json", `{"x":1}`)
		if (res.Status != 404 || res.Body["code"] != "route_not_found") && (res.Status != 405 || res.Body["code"] != "method_not_allowed") {
			t.Errorf("%s %s: %d %v, want Echo's 404 or 405", r[0], r[1], res.Status, res.Body)
		}
	}
}

func TestOpenAPIValidatorKeepsTheBodyLimit(t *testing.T) {
	e := validatorApp(t)
	big := `{"remarks":"` + strings.Repeat("x", httpx.MaxBodyBytes) + `"}`
	req := httptest.NewRequest("POST", "/v1/filings/validate", strings.NewReader(big))
	req.Header.Set(echo.HeaderContentType, "application/json")
	req.ContentLength = -1 // as with chunked encoding: only reading finds out
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"body_too_large"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}

func TestOpenAPIValidatorLetsTheRoleCheckRefuseFirst(t *testing.T) {
	mw, err := Validator(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	as := func(role auth.Role) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				auth.SetPrincipal(c, auth.Principal{KeyID: "k", Role: role})
				return next(c)
			}
		}
	}
	v1 := e.Group("/v1", as(auth.RoleReviewer))
	v1.Use(mw)
	v1.POST("/filings", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.Allow(auth.RoleBackend))
	v1.POST("/filings/:id/initial-review", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.Allow(auth.RoleReviewer))
	if res := httpxtest.Call(t, e, "POST", "/v1/filings", "application/json", `{"bad":1}`); res.Status != http.StatusForbidden {
		t.Errorf("a reviewer creating a filing: %d %v, want 403", res.Status, res.Body)
	}
	if res := httpxtest.Call(t, e, "POST", "/v1/filings/"+fid+"/initial-review", "application/json", `{"approve":"yes"}`); res.Status != 400 || res.Body["code"] != "invalid_type" {
		t.Errorf("a reviewer deciding: %d %v, want 400 invalid_type", res.Status, res.Body)
	}
}

func TestOpenAPIJSONAndDocsAreServed(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	e.Use(httpx.SecurityHeaders)
	e.GET("/v1/openapi.json", JSON)
	e.GET("/v1/docs", Docs)

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/openapi.json", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), "application/json") {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Header())
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("openapi.json is not the document: %v", err)
	}
	if rec.Header().Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("the JSON keeps the API's CSP, got %q", rec.Header().Get("Content-Security-Policy"))
	}

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/docs", nil))
	page := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), "text/html") {
		t.Fatalf("docs: %d %s", rec.Code, rec.Header())
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'unsafe-inline'") || strings.Contains(csp, "script") {
		t.Errorf("docs CSP = %q", csp)
	}
	for _, bad := range []string{"<script", "<link", " src=", "<iframe", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the docs page contains %q: it must be self-contained", bad)
		}
	}
	spec, _ := loadSpec()
	for path, item := range spec.doc.Paths.Map() {
		for method := range item.Operations() {
			if !strings.Contains(page, `<span class="method `+method+`">`+method+`</span><code>`+path+`</code>`) {
				t.Errorf("the docs page lacks %s %s", method, path)
			}
		}
	}
	for _, want := range []string{"account_mismatch", "idempotency_key_reused", "subject.certificate_number", "websites[].responsible.mobile",
		"reviewer", "Retry-After", "domain.tld_not_approved", "known values: provider_app", "&#34;filing_id&#34;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the docs page lacks %q", want)
		}
	}
}

func TestOpenAPIValidatorIsSafeForConcurrentRequests(t *testing.T) {
	e := validatorApp(t)
	done := make(chan string)
	for i := range 16 {
		go func() {
			var failure string
			for j := range 20 {
				body := fmt.Sprintf(`{"websites":[{"domain":"site-%d-%d.cn","languages":["zh_hans"]}],"remarks":%d}`, i, j, j)
				req := httptest.NewRequest("POST", "/v1/filings/validate", strings.NewReader(body))
				req.Header.Set(echo.HeaderContentType, "application/json")
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"remarks"`) {
					failure = rec.Body.String()
				}
			}
			done <- failure
		}()
	}
	for range 16 {
		if f := <-done; f != "" {
			t.Error(f)
		}
	}
}
