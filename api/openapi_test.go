package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/httpx/httpxtest"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/openapi"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// fid is a well-formed filing ID that no test filing has.
const fid = "01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d"

// pendingRoutes are in the contract ahead of their handlers; each is
// checked as soon as a route with its method and path is registered.
var pendingRoutes = []string{
	"GET /v1/filings",
	"GET /v1/review-queues/{queue}",
	"GET /metrics",
	"GET /v1/openapi.json",
	"GET /v1/docs",
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// registeredRoutes builds the API as the binary does, without Temporal or
// S3 (New does not talk to them) but with metrics, and lists its routes as "METHOD /path"
// with {param} placeholders.
func registeredRoutes(t *testing.T) map[string]bool {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := New(Deps{Log: slog.New(slog.DiscardHandler), DB: db, Metrics: metrics.New()})
	out := map[string]bool{}
	for _, r := range e.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue // Echo's catch-all not-found routes of groups
		}
		if strings.HasSuffix(r.Path, "*") {
			continue
		}
		out[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	return out
}

func TestOpenAPISpecCoversEveryRoute(t *testing.T) {
	doc, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	routes := registeredRoutes(t)
	if len(routes) < 15 {
		t.Fatalf("only %d routes registered: %v", len(routes), routes)
	}
	for _, r := range slices.Sorted(maps.Keys(routes)) {
		if !inSpec[r] {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(inSpec)) {
		if !routes[op] {
			if slices.Contains(pendingRoutes, op) {
				t.Logf("%s is in the contract, its route not yet registered", op)
				continue
			}
			t.Errorf("openapi.yaml has %s, but no such route is registered", op)
		}
	}
}

// notOnRecord answers that nothing is on MIIT record, so createFiling
// stops at the filing type (422) before it needs Temporal.
type notOnRecord struct{}

func (notOnRecord) LookupSubject(context.Context, filing.CertificateType, string) (rules.SubjectRecord, error) {
	return rules.SubjectRecord{}, nil
}

func (notOnRecord) LookupDomain(context.Context, string) (rules.DomainRecord, error) {
	return rules.DomainRecord{}, nil
}

// TestOpenAPIValidatorAgreesWithTheHandlers sends the same requests to the
// real handlers with and without the validator in front: whoever answers,
// the status, code and field are the same.
func TestOpenAPIValidatorAgreesWithTheHandlers(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := &server{Deps: Deps{Log: log, Now: time.Now, Records: notOnRecord{}, DB: db}, filings: store.NewFilings(db), claims: store.NewReviewClaims(db)}
	// The caller is the backend of account acc-1 (so account_id defaults to
	// it), or the role named by X-Test-Role. Requests on a filing go
	// without a principal: a backend's would make ownedFiling ask Temporal.
	asBackend := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch role := c.Request().Header.Get("X-Test-Role"); {
			case role != "":
				auth.SetPrincipal(c, auth.Principal{KeyID: "k", Role: Role(role)})
			case !strings.HasPrefix(c.Request().URL.Path, "/v1/filings/"+fid):
				auth.SetPrincipal(c, auth.Principal{KeyID: "k", Role: RoleBackend, AccountID: "acc-1"})
			}
			return next(c)
		}
	}
	build := func(validate bool) *echo.Echo {
		e := echo.New()
		e.HTTPErrorHandler = httpx.ErrorHandler(log)
		e.Use(httpx.LimitBody(httpx.MaxBodyBytes))
		v1 := e.Group("/v1", asBackend)
		if validate {
			mw, err := openapi.Validator(log)
			if err != nil {
				t.Fatal(err)
			}
			v1.Use(mw)
		}
		v1.POST("/filings", s.createFiling)
		v1.POST("/filings/validate", s.validateApplication)
		v1.POST("/filings/:id/cancel", s.cancelFiling)
		v1.POST("/filings/:id/mailing-address", s.mailingAddress)
		v1.POST("/filings/:id/materials", s.attachMaterial)
		v1.GET("/filings", s.listFilings)
		v1.GET("/review-queues/:queue", s.reviewQueue)
		return e
	}
	plain, validated := build(false), build(true)

	valid := `{"account_id":"acc-1","subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license","certificate_number":"91330106MA27UK8P01"},"domain":"example.com","product":{"instance_id":"i-acc-1-web"}}`
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(valid), &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		return httpxtest.MustJSON(m)
	}
	subject := func(m map[string]any) map[string]any { return m["subject"].(map[string]any) }
	type req struct{ path, contentType, body, role string }
	var reqs []req
	create := func(body string) { reqs = append(reqs, req{"/v1/filings", "application/json", body, ""}) }
	// The cases of integration/filings_test.go and more.
	create(`{"account_id": "a",`)
	create(`["ZJ"]`)
	create(valid + `{}`)
	create(``)
	create(`null`)
	create(`{}`)
	create(edit(func(m map[string]any) { delete(m, "account_id") }))
	create(edit(func(m map[string]any) { delete(subject(m), "province") }))
	create(edit(func(m map[string]any) { delete(m, "domain") }))
	create(edit(func(m map[string]any) { m["domain"] = "  " }))
	create(edit(func(m map[string]any) { delete(subject(m), "certificate_number") }))
	create(edit(func(m map[string]any) { delete(m, "subject") }))
	create(edit(func(m map[string]any) { m["subject"] = nil }))
	create(edit(func(m map[string]any) { delete(m, "product") }))
	create(edit(func(m map[string]any) { m["product"] = map[string]any{} }))
	create(edit(func(m map[string]any) { m["product"] = map[string]any{"instance_id": ""} }))
	create(edit(func(m map[string]any) { subject(m)["province"] = 42 }))
	create(edit(func(m map[string]any) { m["product"] = "i-1" }))
	create(edit(func(m map[string]any) { m["provnce"] = "ZJ" }))
	create(edit(func(m map[string]any) { subject(m)["province"] = "HK" }))
	create(edit(func(m map[string]any) { subject(m)["province"] = "cn-zj" }))
	create(edit(func(m map[string]any) { subject(m)["nature"] = "company" }))
	create(edit(func(m map[string]any) { m["account_id"] = "a b" }))
	create(edit(func(m map[string]any) { m["account_id"] = "a b"; delete(subject(m), "province") }))
	create(edit(func(m map[string]any) { delete(subject(m), "nature"); delete(m, "domain") }))
	create(edit(func(m map[string]any) { m["domain"] = "http://example.com/" }))
	create(edit(func(m map[string]any) { m["domain"] = "www.example.com" }))
	create(edit(func(m map[string]any) { m["domain"] = "example.io" }))
	create(edit(func(m map[string]any) { subject(m)["certificate_number"] = "91330106MA27UK8P02" }))
	create(edit(func(m map[string]any) {
		m["product"] = map[string]any{"instance_id": "i-a-web", "service_number": "BSN1234567890"}
	}))
	create(valid)
	reqs = append(reqs,
		req{"/v1/filings", "text/plain", valid, ""},
		req{"/v1/filings/validate", "application/json", `{"subject":`, ""},
		req{"/v1/filings/validate", "application/json", `{"subject":{"province":31}}`, ""},
		req{"/v1/filings/validate", "application/json", `{"subjekt":{"province":"ZJ"}}`, ""},
		req{"/v1/filings/validate", "application/json", `{"subject":{"province":"ZJ","nature":"enterprise"}}`, ""},
		req{"/v1/filings/validate", "application/json", `{"websites":[{"content_types":["gambling"],"languages":"zh"}]}`, ""},
		req{"/v1/filings/validate", "application/json", `{"websites":{}}`, ""},
		req{"/v1/filings/validate", "application/json", `{"product":{"cloud_instance":null,"service_number":5}}`, ""},
		req{"/v1/filings/" + fid + "/cancel", "application/json", `{"reason":"my name is Zhang San"}`, ""},
		req{"/v1/filings/" + fid + "/cancel", "application/json", `{"reason":7}`, ""},
		req{"/v1/filings/" + fid + "/cancel", "", `{}`, ""},
		req{"/v1/filings/" + fid + "/cancel", "application/json", ``, ""},
		req{"/v1/filings/" + fid + "/mailing-address", "application/json", `{}`, ""},
		req{"/v1/filings/" + fid + "/mailing-address", "application/json", `{"recipient":{"name":"李娜","mobile":"123"}}`, ""},
		req{"/v1/filings/" + fid + "/mailing-address", "application/json", `{"recipient":{"name":"李娜","mobile":"13700137000"},"address":{"province":"HK"}}`, ""},
		req{"/v1/filings/" + fid + "/mailing-address", "application/json", `{"recipient":{"name":"李娜","mobile":"13700137000"},"address":{"province":"ZJ","detail":"x"}}`, ""},
		req{"/v1/filings/" + fid + "/mailing-address", "application/json", `{"recipient":{"name":"李娜","mobile":"13700137000","nickname":"x"}}`, ""},
		req{"/v1/filings/" + fid + "/materials", "application/json", `{"object_key":"x"}`, ""},
		req{"/v1/filings/" + fid + "/materials", "application/json", `{"kind":"leader_id","object_key":"elsewhere/x"}`, ""},
		req{"/v1/filings/" + fid + "/materials", "application/json", `{"kind":"leader_id","size":"10"}`, ""},
	)
	for _, q := range []string{"sort=name", "limit=0", "limit=abc", "limit=201", "limit=5&sort=-deadline", "stage=bogus",
		"stage=information,%20initial_review", "stage=information&stage=approved", "stage=", "overdue=yes", "overdue=1",
		"closed=false", "created_from=2026-11-01", "created_from=2026-09-01T00:00:00+08:00", "created_from=2026-09-01T00:00:00Z&created_to=2026-08-01T00:00:00Z",
		"province=", "province=HK", "province=cn-zj", "filing_type=x", "filing_type=add_access", "waiting_on=x", "waiting_on=courier",
		"step=Bad", "step=awaiting_reviewer", "cursor=bm9wZQ", "foo=1", "account_id=acc-2", "account_id=acc-1", "limit=1&limit=2"} {
		reqs = append(reqs, req{"/v1/filings?" + q, "", "", ""})
	}
	reqs = append(reqs, req{"/v1/filings?account_id=a%20b", "", "", "reviewer"}, req{"/v1/filings?account_id=acc-2", "", "", "support"})
	for _, q := range []string{"initial", "initial?limit=0", "photo?limit=3", "photo?stage=information", "bureau", "initial?cursor=bm9wZQ"} {
		reqs = append(reqs, req{"/v1/review-queues/" + q, "", "", "reviewer"})
	}
	if len(reqs) < 80 {
		t.Fatalf("only %d requests", len(reqs))
	}
	skipped, refused := 0, 0
	defer func() {
		t.Logf("%d requests, %d refused alike, %d skipped", len(reqs), refused, skipped)
		if skipped > 0 {
			t.Errorf("%d requests reached Temporal", skipped)
		}
	}()
	for _, r := range reqs {
		method := http.MethodPost
		if r.body == "" && r.contentType == "" {
			method = http.MethodGet
		}
		want := httpxtest.Call(t, plain, method, r.path, r.contentType, r.body, "X-Test-Role", r.role)
		got := httpxtest.Call(t, validated, method, r.path, r.contentType, r.body, "X-Test-Role", r.role)
		if want.Status == http.StatusInternalServerError {
			skipped++
			continue // went on to Temporal, which these handlers do not have
		}
		if got.Status >= 400 && want.Status == got.Status {
			refused++
		}
		gotField, _ := got.Body["field"].(string)
		wantField, _ := want.Body["field"].(string)
		if want.Status == http.StatusForbidden && want.Body["code"] == filing.CodeAccountMismatch &&
			got.Status == http.StatusBadRequest && got.Body["code"] == filing.CodeInvalidValue && gotField == "account_id" {
			continue // a malformed account_id is refused for its form before it is compared with the key's
		}
		if got.Status != want.Status || got.Body["code"] != want.Body["code"] || !sameField(gotField, wantField, want.Body["code"]) {
			t.Errorf("%s %s %s %s:\n validated %d %v %v\n handler   %d %v %v", method, r.path, r.contentType, r.body,
				got.Status, got.Body["code"], got.Body["field"], want.Status, want.Body["code"], want.Body["field"])
		}
	}
}

var arrayIndex = regexp.MustCompile(`\[[0-9]+\]`)

// sameField compares the validator's field with the handler's, which
// (through encoding/json) names array members without their index and an
// unknown member without its path.
func sameField(validated, handler string, code any) bool {
	switch {
	case validated == handler:
		return true
	case strings.ReplaceAll(arrayIndex.ReplaceAllString(validated, ""), "..", ".") == handler:
		return true
	case code == filing.CodeUnknownField:
		return validated[strings.LastIndexAny(validated, ".]")+1:] == handler
	}
	return false
}
