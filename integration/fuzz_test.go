package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/webhook"
)

// The product requirement: no input can produce a 500. These tests throw
// valid, broken and hostile requests at every route of the running system
// and check each answer: below 500, errors in the one JSON shape, and no
// personal data that came in echoed back out.

// The seed fixes the generator: a failure found once is found again.
const fuzzSeed1, fuzzSeed2 = 20260601, 42

// fuzzCases is how many requests TestNoInputProducesA500 sends.
const fuzzCases = 3000

// Personal-data markers. They are put into the fields that carry personal
// data (names, ID numbers, phones, e-mail, addresses); no answer may ever
// contain them. The ID number has a valid check digit, so the rules accept
// it and it travels as far as a real one would.
var (
	markerID     = sample.ResidentID("110101", "19900307", "999")
	markerMobile = "13912345678"
	markerName   = "钱隐私"
	markerEmail  = "leak.marker@yunqi-tech.com"
	markerStreet = "泄露路999号"
	markers      = []string{markerID, markerMobile, markerName, markerEmail, markerStreet}
)

// personalKeys are the JSON fields that hold personal data.
var personalKeys = []string{"name", "id_number", "mobile", "email", "detail", "emergency_phone", "certificate_number"}

func TestNoInputProducesA500(t *testing.T) {
	t.Parallel()
	start := time.Now()
	w := newFuzzWorld(t)
	setup := time.Since(start)

	gen := &generator{w: w, r: rand.New(rand.NewPCG(fuzzSeed1, fuzzSeed2))}
	cases := make([]fuzzCase, fuzzCases)
	for i := range cases {
		cases[i] = gen.next(i)
	}
	// What a random stream may or may not reach: the hostile inputs that
	// once broke the server, every time.
	cases = append(cases, gen.regressions()...)
	outcomes := sendAll(cases, 4)

	tl := newTally()
	for i, c := range cases {
		tl.add(i, c, outcomes[i])
		if outcomes[i].status == http.StatusCreated && c.route == "POST /v1/filings" {
			w.createdByFuzz(outcomes[i].body)
		}
	}
	for _, kind := range tl.kinds {
		f := tl.failures[kind]
		t.Errorf("%s, %d times. The shortest, request #%d of seed %d/%d:\n%s\n-> %s",
			kind, f.count, f.example, fuzzSeed1, fuzzSeed2, cases[f.example], outcomes[f.example])
	}
	if tl.unavailable > 0 {
		t.Errorf("%d answers were 503 (dependency_unavailable or the webhooks' unavailable): nothing is down here, so the input caused them", tl.unavailable)
	}
	t.Logf("%d requests in %v (setup %v); status counts: %s; %d not sendable by net/http (invalid header values)",
		len(cases), time.Since(start).Round(time.Millisecond), setup.Round(time.Millisecond), formatCounts(tl.counts), tl.unsendable)
	for _, r := range slices.Sorted(maps.Keys(tl.byRoute)) {
		t.Logf("  %-52s %s", r, formatCounts(tl.byRoute[r]))
	}
}

// tally counts the answers by status and route, and groups the wrong ones
// by kind.
type tally struct {
	counts      map[int]int
	byRoute     map[string]map[int]int
	failures    map[string]*failure
	kinds       []string // in the order first seen
	unsendable  int
	unavailable int
}

// failure is one kind of wrong answer: how often, and the case to
// reproduce it with.
type failure struct {
	count   int
	example int
	size    int
}

func newTally() *tally {
	return &tally{counts: map[int]int{}, byRoute: map[string]map[int]int{}, failures: map[string]*failure{}}
}

func (tl *tally) add(i int, c fuzzCase, o outcome) {
	if o.unsendable {
		tl.unsendable++
		return
	}
	tl.counts[o.status]++
	if tl.byRoute[c.route] == nil {
		tl.byRoute[c.route] = map[int]int{}
	}
	tl.byRoute[c.route][o.status]++
	if o.status == http.StatusServiceUnavailable {
		tl.unavailable++
	}
	problem := judge(c, o)
	if problem == "" {
		return
	}
	// One report per kind of failure and route, with the shortest request
	// that shows it: the same bug hit 200 times would bury the others.
	kind := fmt.Sprintf("%s: %s (%d %s)", c.route, problem, o.status, errorCode(o.body))
	f := tl.failures[kind]
	if f == nil {
		f = &failure{example: i, size: c.size()}
		tl.failures[kind] = f
		tl.kinds = append(tl.kinds, kind)
	}
	f.count++
	if c.size() < f.size {
		f.example, f.size = i, c.size()
	}
}

// judge returns what is wrong with an answer, or "".
func judge(c fuzzCase, o outcome) string {
	if o.err != nil {
		return "no answer: " + o.err.Error()
	}
	for _, m := range markers {
		if bytes.Contains(o.body, []byte(m)) {
			return "the answer echoes the personal data " + strconv.Quote(m)
		}
	}
	if o.status >= 500 {
		return "server error " + strconv.Itoa(o.status)
	}
	if o.status >= 400 {
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(o.body, &e); err != nil {
			return "the error answer is not a JSON object: " + err.Error()
		}
		if e.Code == "" || e.Message == "" {
			return "the error answer lacks a code or a message"
		}
	}
	return ""
}

func errorCode(body []byte) string {
	var e struct{ Code string }
	_ = json.Unmarshal(body, &e)
	return e.Code
}

func formatCounts(counts map[int]int) string {
	statuses := make([]int, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	parts := make([]string, len(statuses))
	for i, s := range statuses {
		parts[i] = fmt.Sprintf("%d×%d", s, counts[s])
	}
	return strings.Join(parts, " ")
}

// fuzzCase is one request, exactly as sent.
type fuzzCase struct {
	route  string // the route template it aims at, for the report
	Method string
	Target string // path and query, escaped as sent
	Header http.Header
	// Caller names the key in Authorization, since tokens differ per run.
	Caller string
	Body   []byte
}

func (c fuzzCase) size() int { return len(c.Target) + len(c.Body) }

// String prints the request so it can be sent again by hand.
func (c fuzzCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s %s\n", c.Method, c.Target)
	names := make([]string, 0, len(c.Header))
	for k := range c.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range c.Header[k] {
			fmt.Fprintf(&b, "  %s: %q\n", k, v)
		}
	}
	if c.Caller != "" {
		fmt.Fprintf(&b, "  (Authorization is %s)\n", c.Caller)
	}
	body := c.Body
	suffix := ""
	if len(body) > 4096 {
		body, suffix = body[:4096], fmt.Sprintf(" …(%d bytes in all)", len(c.Body))
	}
	fmt.Fprintf(&b, "  body: %q%s", body, suffix)
	return b.String()
}

// outcome is the answer to a fuzzCase.
type outcome struct {
	status     int
	body       []byte
	err        error
	unsendable bool // net/http refused to send it (invalid header value)
}

func (o outcome) String() string {
	if o.err != nil {
		return "error: " + o.err.Error()
	}
	body := o.body
	if len(body) > 2048 {
		body = body[:2048]
	}
	return fmt.Sprintf("%d %s", o.status, body)
}

// fuzzClient keeps connections open between requests; every request
// gets an answer within the server's own timeouts.
var fuzzClient = &http.Client{
	Timeout:   90 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 16},
}

// send sends one case to the system.
func send(c fuzzCase) outcome {
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequest(c.Method, sys.baseURL+c.Target, body)
	if err != nil {
		return outcome{unsendable: true, err: err}
	}
	req.Header = c.Header.Clone()
	res, err := fuzzClient.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "invalid header field") {
			return outcome{unsendable: true, err: err}
		}
		return outcome{err: err}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return outcome{status: res.StatusCode, body: raw, err: err}
}

// sendAll sends the cases with n requests in flight and returns the
// answers in the cases' order.
func sendAll(cases []fuzzCase, n int) []outcome {
	out := make([]outcome, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for i := range next {
				out[i] = send(cases[i])
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// fuzzWorld is what the generator aims at: real filings in the stages whose
// handlers do the most, API keys of every kind, and real cursors to tamper
// with.
type fuzzWorld struct {
	t *testing.T
	// ids of real filings: editing (account A, information/editing),
	// review (A, awaiting the initial reviewer), mailing (A, awaiting the
	// mailing address), closed (A, cancelled), other (account B).
	ids     map[string]string
	editing *scenario
	// companies are subjects for create bodies: the editing filing's (so
	// subject_busy) and fresh ones.
	companies []string
	callers   []caller
	cursors   []cursorCase
	secret    []byte

	mu      sync.Mutex
	created []string // filings the fuzz itself created, to stop afterwards
}

const fuzzAccountA, fuzzAccountB = "acc-fuzz-a", "acc-fuzz-b"

// caller is an Authorization header and who it claims to be.
type caller struct {
	label  string
	header string // "" sends none
	role   api.Role
	// account is the backend key's account.
	account string
}

// cursorCase is a listing query and a cursor (real or tampered) to send
// with it, by the caller it was issued to.
type cursorCase struct {
	query  string
	cursor string
	caller caller
}

func newFuzzWorld(t *testing.T) *fuzzWorld {
	t.Helper()
	w := &fuzzWorld{t: t, ids: map[string]string{}, secret: []byte(sys.app.Config.World.WebhookSecret)}
	w.issueKeys()
	t.Cleanup(w.stopFilings)

	// Filings in the stages with the most code behind them.
	create := func(account, domain string) *scenario {
		company := newCompany("ZJ")
		res := do(t, http.MethodPost, "/v1/filings", "application/json", createBody(account, "ZJ", domain, company))
		if res.Status != http.StatusCreated {
			t.Fatalf("creating a filing for the fuzz test: %d %s", res.Status, res.Raw)
		}
		s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor("ZJ", company, domain, "云栖科技官网"), base: sys.baseURL}
		w.mu.Lock()
		w.created = append(w.created, s.id)
		w.mu.Unlock()
		return s
	}
	editing := create(fuzzAccountA, "fuzz-editing.com")
	review := create(fuzzAccountA, "fuzz-review.com")
	mailing := create(fuzzAccountA, "fuzz-mailing.com")
	closed := create(fuzzAccountA, "fuzz-closed.com")
	other := create(fuzzAccountB, "fuzz-other.com")
	review.fill()
	review.ok("/submit", `{}`)
	mailing.fill()
	mailing.throughInitialReview()
	closed.wait(filing.StageInformation, filing.StepEditing)
	closed.ok("/cancel", `{"reason":"user_request"}`)
	editing.wait(filing.StageInformation, filing.StepEditing)
	review.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	mailing.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	w.editing = editing
	w.ids = map[string]string{"editing": editing.id, "review": review.id, "mailing": mailing.id, "closed": closed.id, "other": other.id}
	w.companies = []string{editing.app.Subject.CertificateNumber, newCompany("ZJ"), newCompany("ZJ"), newCompany("SH")}
	w.collectCursors()
	return w
}

// issueKeys makes a key of every kind a caller may hold, including the
// ones the API must refuse: revoked, of an unknown role, a backend key
// without an account.
func (w *fuzzWorld) issueKeys() {
	t := w.t
	bearer := func(token string) string { return "Bearer " + token }
	keys := store.NewAPIKeys(sys.app.DB)
	ctx := context.Background()
	revoked, err := apikeys.Issue(ctx, keys, "backend", fuzzAccountA, "fuzz: revoked", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Revoke(ctx, revoked.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Keys apikeys.Issue would not mint, written as a buggy admin tool or
	// an old release might have.
	odd := func(role, account string) string {
		k, err := apikeys.New()
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Create(ctx, store.APIKey{ID: k.ID, SecretHash: k.SecretHash, Role: role, AccountID: account,
			Name: "fuzz: odd", CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		return k.Token
	}
	backendA := keyFor(t, sys.baseURL, api.RoleBackend, fuzzAccountA)
	w.callers = []caller{
		{label: "backend key of " + fuzzAccountA, header: bearer(backendA), role: api.RoleBackend, account: fuzzAccountA},
		{label: "backend key of " + fuzzAccountB, header: bearer(keyFor(t, sys.baseURL, api.RoleBackend, fuzzAccountB)), role: api.RoleBackend, account: fuzzAccountB},
		{label: "reviewer key", header: bearer(keyFor(t, sys.baseURL, api.RoleReviewer, "")), role: api.RoleReviewer},
		{label: "support key", header: bearer(keyFor(t, sys.baseURL, api.RoleSupport, "")), role: api.RoleSupport},
		{label: "revoked backend key", header: bearer(revoked.Token)},
		{label: "key of unknown role admin", header: bearer(odd("admin", ""))},
		{label: "backend key without an account", header: bearer(odd("backend", ""))},
		{label: "no Authorization"},
		{label: "garbage", header: "Bearer"},
		{label: "garbage", header: "Bearer "},
		{label: "garbage", header: "bearer " + backendA},
		{label: "garbage", header: "Bearer  " + backendA + " "},
		{label: "garbage", header: backendA},
		{label: "garbage", header: "Basic dXNlcjpwYXNz"},
		{label: "garbage", header: "Bearer bfk_"},
		{label: "garbage", header: "Bearer bfk_zz_zz"},
		{label: "garbage", header: "Bearer bfk_0123456789abcdef_" + strings.Repeat("0", 64)},
		{label: "garbage", header: "Bearer " + backendA + "x"},
		{label: "garbage", header: "Bearer " + strings.ToUpper(backendA)},
		{label: "garbage", header: "Bearer " + strings.Repeat("a", 6000)},
		{label: "garbage", header: "Bearer bfk_\xff\xfe_\x80"},
		{label: "garbage", header: "Bearer 钥匙"},
	}
}

// collectCursors lists with limit=1 to get real cursors, then forges
// cursors that keep the listing's filters but carry hostile values.
func (w *fuzzWorld) collectCursors() {
	for _, c := range []caller{w.callers[3], w.callers[0]} {
		for _, query := range []string{"limit=1", "limit=1&sort=deadline", "limit=1&sort=-since&closed=false"} {
			res := w.list(c, query)
			real, _ := res["next_cursor"].(string)
			if real == "" {
				continue
			}
			w.cursors = append(w.cursors, cursorCase{query: query, cursor: real, caller: c})
			raw, err := base64.RawURLEncoding.DecodeString(real)
			if err != nil {
				w.t.Fatalf("a cursor the API issued is not base64url: %q", real)
			}
			for _, forge := range []func(m map[string]any){
				func(m map[string]any) { m["id"] = "\x00" },
				func(m map[string]any) { m["id"] = "\xff" },
				func(m map[string]any) { m["id"] = "x' OR '1'='1" },
				func(m map[string]any) { m["id"] = strings.Repeat("é", 32) },
				func(m map[string]any) { m["k"] = "0001-01-01T00:00:00Z" },
				func(m map[string]any) { m["k"] = "9999-12-31T23:59:59.999999999Z" },
				func(m map[string]any) { m["k"] = "0000-01-01T00:00:00+23:59" },
				func(m map[string]any) { m["k"] = nil },
				func(m map[string]any) { m["k"] = 12 },
				func(m map[string]any) { m["v"] = 2 },
				func(m map[string]any) { m["v"] = 1e300 },
				func(m map[string]any) { m["s"] = "nonsense" },
				func(m map[string]any) { m["x"] = true },
			} {
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err != nil {
					w.t.Fatalf("a cursor the API issued is not JSON: %s", raw)
				}
				forge(m)
				b, _ := json.Marshal(m)
				w.cursors = append(w.cursors, cursorCase{query: query, cursor: base64.RawURLEncoding.EncodeToString(b), caller: c})
			}
		}
	}
	if len(w.cursors) == 0 {
		w.t.Fatal("no listing returned a cursor")
	}
}

func (w *fuzzWorld) list(c caller, query string) map[string]any {
	req, err := http.NewRequest(http.MethodGet, sys.baseURL+"/v1/filings?"+query, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Authorization", c.header)
	res, err := fuzzClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		w.t.Fatalf("listing %s: %d %v %v", query, res.StatusCode, body, err)
	}
	return body
}

// createdByFuzz remembers a filing a fuzzed request happened to create.
func (w *fuzzWorld) createdByFuzz(body []byte) {
	var f struct {
		FilingID string `json:"filing_id"`
	}
	if json.Unmarshal(body, &f) == nil && f.FilingID != "" {
		w.mu.Lock()
		w.created = append(w.created, f.FilingID)
		w.mu.Unlock()
	}
}

// stopFilings terminates every filing the test started, so they do not
// keep the shared worker busy for the tests after it.
func (w *fuzzWorld) stopFilings() {
	w.mu.Lock()
	ids := slices.Clone(w.created)
	w.mu.Unlock()
	terminate(ids, "fuzz test over")
}

// terminate ends the filings' workflows; ones already closed are skipped.
func terminate(ids []string, reason string) {
	next := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for id := range next {
				_ = sys.temporal.TerminateWorkflow(context.Background(), filing.ID(id).WorkflowID(), "", reason)
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
}

// route is an endpoint the generator aims at.
type route struct {
	method string
	// path has {id} and {queue} filled in by the generator.
	path string
	// role may call it; "" for the unauthenticated endpoints.
	role api.Role
	// body is a valid body for the filing id, nil for none.
	body func(g *generator, id string) any
	// list routes take the listing's query parameters.
	list   bool
	weight int
}

const roleWebhook api.Role = "webhook"

var sha = strings.Repeat("ab", 32)

// routes are every route of api/server.go, api/actions.go and the webhooks,
// weighted towards the ones with the most input handling.
var routes = []route{
	{http.MethodPost, "/v1/filings", api.RoleBackend, (*generator).createBody, false, 12},
	{http.MethodPost, "/v1/filings/validate", api.RoleBackend, func(g *generator, _ string) any { return g.application() }, false, 8},
	{http.MethodGet, "/v1/filings", api.RoleSupport, nil, true, 10},
	{http.MethodGet, "/v1/review-queues/{queue}", api.RoleReviewer, nil, true, 4},
	{http.MethodGet, "/v1/filings/{id}", api.RoleBackend, nil, false, 5},
	{http.MethodGet, "/v1/filings/{id}/timeline", api.RoleBackend, nil, false, 3},
	{http.MethodPost, "/v1/filings/{id}/cancel", api.RoleBackend, func(*generator, string) any { return map[string]any{"reason": "user_request"} }, false, 3},
	{http.MethodPut, "/v1/filings/{id}/application", api.RoleBackend, func(g *generator, _ string) any { return g.w.editing.app }, false, 10},
	{http.MethodPost, "/v1/filings/{id}/materials", api.RoleBackend, func(_ *generator, id string) any {
		return map[string]any{"kind": "leader_id", "object_key": "filings/" + id + "/materials/m-1", "size": 10, "sha256": sha}
	}, false, 5},
	{http.MethodPost, "/v1/filings/{id}/uploads", api.RoleBackend, func(*generator, string) any {
		return map[string]any{"kind": "leader_id", "content_type": "application/pdf", "size": 100, "sha256": sha}
	}, false, 5},
	{http.MethodPost, "/v1/filings/{id}/mailing-address", api.RoleBackend, func(*generator, string) any {
		return map[string]any{"recipient": map[string]any{"name": "张伟", "mobile": "13800138000"},
			"address": map[string]any{"province": "ZJ", "city": "杭州市", "district": "西湖区", "detail": "文三路90号"}}
	}, false, 5},
	{http.MethodPost, "/v1/filings/{id}/product", api.RoleBackend, func(*generator, string) any {
		return map[string]any{"product": map[string]any{"instance_id": "i-acc-fuzz-a-web"}}
	}, false, 2},
	{http.MethodPost, "/v1/filings/{id}/submit", api.RoleBackend, func(*generator, string) any { return map[string]any{} }, false, 2},
	{http.MethodPost, "/v1/filings/{id}/photo-path", api.RoleBackend, func(*generator, string) any { return map[string]any{"mode": "provider_app"} }, false, 2},
	{http.MethodPost, "/v1/filings/{id}/photo", api.RoleBackend, func(_ *generator, id string) any {
		return map[string]any{"object_key": "filings/" + id + "/materials/p-1", "size": 4096, "sha256": sha}
	}, false, 2},
	{http.MethodPost, "/v1/filings/{id}/initial-review", api.RoleReviewer, decisionBody, false, 3},
	{http.MethodPost, "/v1/filings/{id}/photo-review", api.RoleReviewer, photoDecisionBody, false, 2},
	{http.MethodPost, "/v1/filings/{id}/verification-result", api.RoleSupport, func(*generator, string) any {
		return map[string]any{"passed": false, "reasons": []any{map[string]any{"code": "face_mismatch", "message": "not the leader"}}}
	}, false, 2},
	{http.MethodPost, "/v1/filings/{id}/courier-events", api.RoleSupport, func(*generator, string) any {
		return map[string]any{"tracking_number": "SF123456789012", "delivered_at": "2026-03-02T10:00:00+08:00"}
	}, false, 2},
	{http.MethodPost, "/v1/filings/{id}/bureau-events/sms", api.RoleSupport, func(*generator, string) any {
		return map[string]any{"receipt_id": "SBX-1", "outcome": "verified"}
	}, false, 2},
	{http.MethodPost, "/v1/filings/{id}/bureau-events/decision", api.RoleSupport, func(*generator, string) any {
		return map[string]any{"receipt_id": "SBX-1", "approved": true, "filing_number": "浙ICP备26012345号-1"}
	}, false, 2},
	{http.MethodPost, webhook.BureauPath, roleWebhook, func(g *generator, id string) any {
		return map[string]any{"receipt_id": "SBX-" + id[:min(8, len(id))], "filing_id": id, "state": g.pick("approved", "rejected", "under_review", "sms_returned", "sms_pending"),
			"sms_attempts_failed": 0, "filing_number": "浙ICP备26012345号-1", "reasons": []any{map[string]any{"code": "x", "message": "y"}},
			"updated_at": "2026-03-02T10:00:00Z"}
	}, false, 5},
	{http.MethodPost, webhook.CourierPath, roleWebhook, func(g *generator, id string) any {
		return map[string]any{"tracking_number": "SF123456789012", "filing_id": id, "state": g.pick("delivered", "in_transit", "created"),
			"shipped_at": "2026-03-01T10:00:00Z", "delivered_at": "2026-03-02T10:00:00Z"}
	}, false, 4},
	// Outside the API proper, and what is not there at all.
	{http.MethodGet, "/healthz", "", nil, false, 1},
	{http.MethodGet, "/readyz", "", nil, false, 1},
	{http.MethodGet, "/metrics", "", nil, false, 1},
	{http.MethodGet, "/v1/filings/{id}/nothing", api.RoleBackend, nil, false, 1},
	{http.MethodPost, "/v1/webhooks/nothing", "", nil, false, 1},
	{http.MethodGet, "/v2/filings", api.RoleBackend, nil, false, 1},
	{http.MethodGet, "/v1/", api.RoleBackend, nil, false, 1},
}

func decisionBody(g *generator, _ string) any {
	return map[string]any{"approve": g.r.IntN(2) == 0, "reviewer": "staff-1",
		"reasons": []any{map[string]any{"field": "websites[0].name", "code": "name_mismatch", "message": "name does not match"}}}
}

// photoDecisionBody is a photo review's decision, with a reason of the
// photo review's catalogue.
func photoDecisionBody(g *generator, _ string) any {
	return map[string]any{"approve": g.r.IntN(2) == 0, "reviewer": "staff-2",
		"reasons": []any{map[string]any{"field": "photo", "code": "photo_blurred", "message": "blurred"}}}
}

// generator makes the requests: from one seeded source, in order, so the
// same seed makes the same requests (apart from real IDs and keys, which
// each run mints anew).
type generator struct {
	w *fuzzWorld
	r *rand.Rand
	// deliveries are webhook delivery IDs used so far, to replay some.
	deliveries []string
}

func (g *generator) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) route() route {
	total := 0
	for _, r := range routes {
		total += r.weight
	}
	n := g.r.IntN(total)
	for _, r := range routes {
		if n < r.weight {
			return r
		}
		n -= r.weight
	}
	panic("unreachable")
}

func (g *generator) next(i int) fuzzCase {
	rt := g.route()
	c := fuzzCase{route: rt.method + " " + rt.path, Method: rt.method, Header: http.Header{}}
	if g.chance(0.08) {
		c.Method = g.pick(http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, "OPTIONS", "PROPFIND")
	}

	id := g.filingID()
	path := strings.ReplaceAll(rt.path, "{id}", id)
	path = strings.ReplaceAll(path, "{queue}", g.pick("initial", "initial", "photo", "photo", "INITIAL", "", "x", "%00", "%ff", "..", strings.Repeat("q", 3000), "%E5%88%9D%E5%AE%A1"))
	query := ""
	if rt.list {
		query = g.listQuery(&c)
	} else if g.chance(0.05) {
		query = g.garbageQuery()
	}
	c.Target = path
	if query != "" {
		c.Target += "?" + query
	}

	if rt.role == roleWebhook {
		c.Body = g.body(rt, unescapeID(id))
		g.sign(&c, i)
	} else {
		if rt.body != nil || g.chance(0.1) {
			c.Body = g.body(rt, unescapeID(id))
		}
		if c.Caller == "" && (strings.HasPrefix(path, "/v1/") || g.chance(0.2)) {
			g.authorize(&c, rt.role)
		}
	}
	g.headers(&c)
	return c
}

// regressions are fixed cases for inputs that reached the database or
// Temporal unchecked: a NUL or invalid UTF-8 byte in a path the
// idempotency store records, forged cursors (each sent with the query it
// was issued for), and signed webhooks naming filings that no filing ID
// looks like.
func (g *generator) regressions() []fuzzCase {
	backendA := g.w.callers[0]
	var out []fuzzCase
	for _, id := range []string{"%00", "%ff", "%C0%80", g.w.ids["editing"] + "%00"} {
		for _, action := range []string{"submit", "cancel", "photo-path"} {
			out = append(out, fuzzCase{route: "POST /v1/filings/{id}/" + action, Method: http.MethodPost,
				Target: "/v1/filings/" + id + "/" + action, Caller: backendA.label, Body: []byte(`{}`),
				Header: http.Header{"Authorization": {backendA.header}, "Content-Type": {"application/json"},
					"Idempotency-Key": {fmt.Sprintf("regression-%d", len(out))}}})
		}
	}
	for _, cc := range g.w.cursors {
		out = append(out, fuzzCase{route: "GET /v1/filings", Method: http.MethodGet, Caller: cc.caller.label,
			Target: "/v1/filings?" + cc.query + "&cursor=" + url.QueryEscape(cc.cursor),
			Header: http.Header{"Authorization": {cc.caller.header}}})
	}
	for i, filingID := range []string{"备案", "\t\n", "\u0000", "\u007f", strings.Repeat("f", 5000), "filing-" + g.w.ids["mailing"], " " + g.w.ids["mailing"]} {
		for _, path := range []string{webhook.BureauPath, webhook.CourierPath} {
			body := `{"receipt_id":"SBX-1","tracking_number":"SF123456789012","filing_id":"` + filingID + `","state":"approved","delivered_at":"2026-03-02T10:00:00Z"}`
			if path == webhook.CourierPath {
				body = strings.Replace(body, `"approved"`, `"delivered"`, 1)
			}
			ts, delivery := time.Now().Unix(), fmt.Sprintf("regression-%d-%d-%d", fuzzSeed1, i, len(path))
			out = append(out, fuzzCase{route: "POST " + path, Method: http.MethodPost, Target: path, Body: []byte(body),
				Caller: "webhook signature", Header: http.Header{"Content-Type": {"application/json"},
					webhook.HeaderTimestamp: {strconv.FormatInt(ts, 10)}, webhook.HeaderDelivery: {delivery},
					webhook.HeaderSignature: {webhook.Sign(g.w.secret, ts, delivery, []byte(body))}}})
		}
	}
	return out
}

// filingID is a real filing's ID most of the time, else a random UUID or
// something that only looks like an ID, escaped for a path.
func (g *generator) filingID() string {
	real := g.w.ids[g.pick("editing", "editing", "editing", "review", "review", "mailing", "mailing", "closed", "other")]
	switch n := g.r.IntN(100); {
	case n < 70:
		return real
	case n < 80:
		var u uuid.UUID
		for i := range u {
			u[i] = byte(g.r.Uint32())
		}
		u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
		return u.String()
	default:
		return g.pick(strings.ToUpper(real), "{"+real+"}", "urn:uuid:"+real, strings.ReplaceAll(real, "-", ""),
			real+"%00", "%00", "%ff%fe", "%2e%2e", "..", "x", "validate", "%20", "null", "-1", "",
			strings.Repeat("a", 3000), "%E5%A4%87%E6%A1%88", "'%20OR%201=1%20--", real+"%2Fcancel", "00000000-0000-0000-0000-000000000000")
	}
}

// unescapeID is the ID as a body would carry it.
func unescapeID(id string) string {
	if u, err := url.PathUnescape(id); err == nil {
		return u
	}
	return id
}

// authorize picks a key: usually one of the role the route wants (for
// backends, the account that owns the real filings), else any other.
func (g *generator) authorize(c *fuzzCase, role api.Role) {
	var k caller
	switch n := g.r.IntN(100); {
	case n < 60:
		for _, cl := range g.w.callers {
			if cl.role == role || role == "" && cl.role == api.RoleBackend {
				k = cl
				break
			}
		}
	default:
		k = g.w.callers[g.r.IntN(len(g.w.callers))]
	}
	if k.header != "" {
		c.Header.Set("Authorization", k.header)
	}
	c.Caller = k.label
}

// body is a valid body for the route, then, most of the time, broken.
func (g *generator) body(rt route, id string) []byte {
	var v any = map[string]any{}
	if rt.body != nil {
		v = rt.body(g, id)
	}
	v = normalize(v)
	if g.chance(0.35) {
		g.plantMarkers(v)
	}
	if g.chance(0.75) {
		for range 1 + g.r.IntN(3) {
			v = g.mutate(v)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the mutator made something json cannot write: a bug here
	}
	if g.chance(0.25) {
		b = g.mangle(b)
	}
	return b
}

// normalize turns a Go value into the generic JSON tree the mutator works
// on (maps, slices, strings, json.Number, bools, nil).
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// slot is a place in a JSON tree that can be read, replaced or removed.
type slot struct {
	key string
	get func() any
	set func(any)
	del func()
}

// slots lists every place in v, depth first, maps in key order (so the
// generator stays deterministic).
func slots(v any, out *[]slot) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			*out = append(*out, slot{key: k, get: func() any { return x[k] }, set: func(n any) { x[k] = n }, del: func() { delete(x, k) }})
			slots(x[k], out)
		}
	case []any:
		for i := range x {
			*out = append(*out, slot{key: strconv.Itoa(i), get: func() any { return x[i] }, set: func(n any) { x[i] = n }, del: func() { x[i] = nil }})
			slots(x[i], out)
		}
	}
}

// plantMarkers puts personal-data markers into one or two fields that hold
// personal data, keeping the body otherwise valid so it goes deep.
func (g *generator) plantMarkers(v any) {
	var all, personal []slot
	slots(v, &all)
	for _, s := range all {
		if _, ok := s.get().(string); ok && slices.Contains(personalKeys, s.key) {
			personal = append(personal, s)
		}
	}
	if len(personal) == 0 {
		return
	}
	for range 1 + g.r.IntN(2) {
		s := personal[g.r.IntN(len(personal))]
		var m string
		switch s.key {
		case "id_number", "certificate_number":
			m = g.pick(markerID, markerID[:17], markerID+"1")
		case "mobile", "emergency_phone":
			m = g.pick(markerMobile, "+86 "+markerMobile, markerMobile+"0")
		case "email":
			m = markerEmail
		case "detail":
			m = markerStreet
		default:
			m = g.pick(markerName, markerName+strings.Repeat("名", 40), " "+markerName)
		}
		s.set(m)
	}
}

// mutate applies one structural change to the JSON tree.
func (g *generator) mutate(v any) any {
	var all []slot
	slots(v, &all)
	if len(all) == 0 || g.chance(0.08) {
		// Replace the whole body.
		return g.pickValue(v)
	}
	s := all[g.r.IntN(len(all))]
	switch g.r.IntN(7) {
	case 0:
		s.del()
	case 1, 2:
		s.set(g.pickValue(s.get()))
	case 3:
		if _, ok := s.get().(string); ok {
			s.set(g.weirdString())
		} else {
			s.set(g.weirdNumber())
		}
	case 4:
		if m, ok := v.(map[string]any); ok {
			m[g.pick("unknown", "Account_ID", "account_id ", "subject.province", "", "__proto__", "zh")] = g.pickValue(nil)
		} else {
			s.set(g.weirdString())
		}
	case 5:
		s.set(nest(s.get(), g.pick("[", "{")[0], []int{2, 64, 1000, 20000}[g.r.IntN(4)]))
	case 6:
		s.set([]any{s.get()})
	}
	return v
}

// nest wraps v in depth arrays or objects.
func nest(v any, kind byte, depth int) any {
	for range depth {
		if kind == '[' {
			v = []any{v}
		} else {
			v = map[string]any{"a": v}
		}
	}
	return v
}

// pickValue is a value of any JSON type, usually not the one expected.
func (g *generator) pickValue(old any) any {
	switch g.r.IntN(10) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2:
		return g.weirdNumber()
	case 3, 4:
		return g.weirdString()
	case 5:
		return []any{}
	case 6:
		return []any{old, old}
	case 7:
		return map[string]any{}
	case 8:
		return map[string]any{"x": old}
	default:
		return strings.Repeat(" ", g.r.IntN(3))
	}
}

func (g *generator) weirdNumber() json.Number {
	return json.Number(g.pick("0", "-1", "1", "1.5", "-0", "1e400", "-1e400", "1e-400", "9223372036854775807", "9223372036854775808",
		"-9223372036854775809", "18446744073709551616", "1E2", "4294967296", "100000000000000000000000000000", "0.0000001"))
}

// weirdString is a string a careless decoder, validator or database
// might choke on.
func (g *generator) weirdString() string {
	switch g.r.IntN(30) {
	case 0:
		return strings.Repeat("备", 20000)
	case 1:
		if g.chance(0.2) {
			return strings.Repeat("a", 1<<20+16) // the body goes over the 1 MiB limit
		}
		return strings.Repeat("a", 70000)
	case 2:
		return "\x00"
	case 3:
		return "a\x00b"
	case 4:
		return "\u202e\u200b\ufeff"
	case 5:
		return "😀👩‍👩‍👧𠀋e\u0301"
	case 6:
		return "\t\n\r\u2028\u2029"
	default:
		return g.pick("", " ", "x", "ZJ", "CN-ZJ", "zj", "ＺＪ", "HK", "TW", "XX", "enterprise", "individual", "government",
			"resident_id", "business_license", "passport", "provider_app", "backdrop", "shanghai_bureau_app", "verified", "returned",
			"approved", "delivered", "photo", "leader_id", "verification_form", "image/png", "application/pdf", "text/html",
			"i-hk-x", "i-payg-x", "i-released-x", "i-stopped-x", "i-foreign-x", "i-quota0-x", "A1B2C3D4E5F6",
			"taken-yunqi.com", "yunqi.com.cn", "云栖.中国", "www.yunqi-tech.com", "xn--", "xn--zz", "a..com", "-a.com", ".com",
			strings.Repeat("a.", 200)+"com", "yunqi.invalid", "http://x", "https://www.yunqi-tech.com/", "javascript:alert(1)",
			"<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "null", "true", "0", "-1", "1e400",
			"2026-02-30T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2026-03-02", "user_request", "User Request",
			"filings/../x", "staff-1", "SBX-1", "SF123456789012", "浙ICP备26012345号-1")
	}
}

// mangle breaks the encoded body at the byte level, where json.Marshal
// cannot: duplicate keys, trailing garbage, truncation, invalid UTF-8,
// raw control bytes, or no JSON at all.
func (g *generator) mangle(b []byte) []byte {
	switch g.r.IntN(11) {
	case 0:
		if len(b) > 1 && b[0] == '{' && b[1] == '"' {
			end := bytes.IndexByte(b[2:], '"')
			if end >= 0 {
				key := b[1 : end+3]
				return slices.Concat([]byte("{"), key, []byte(`:"dup",`), b[1:])
			}
		}
		return append(b, b...)
	case 1:
		return append(b, g.pick("}", "x", " {}", "\n\n", "[]", "\x00", ",", "{\"a\":1}")...)
	case 2:
		return b[:g.r.IntN(len(b)+1)]
	case 3, 4:
		if i := bytes.IndexByte(b, '"'); i >= 0 {
			return slices.Concat(b[:i+1], []byte(g.pick("\xff\xfe", "\xc3", "\xed\xa0\x80", "\x00", "\x01", "\n", "\\", "\\u", "\\ud800", "\\uZZZZ")), b[i+1:])
		}
		return append([]byte{0xff}, b...)
	case 5:
		return append([]byte("\xef\xbb\xbf"), b...)
	case 6:
		if len(b) > 0 {
			i := g.r.IntN(len(b))
			b[i] ^= byte(1 << g.r.IntN(8))
		}
		return b
	case 7:
		return slices.Concat([]byte("["), b, []byte("]"))
	case 8:
		return []byte(strings.Repeat("[", []int{100, 10001, 100000}[g.r.IntN(3)]))
	case 9:
		return []byte(strings.Repeat(" ", 1<<20+1))
	default:
		return []byte(g.pick("", "null", "[]", "{}", `"x"`, "0", "{", "}", `[{}]`, "true", "{\"\":}", "\x00", "NaN", "{'a':1}", "a=b&c=d"))
	}
}

// listQuery is a query for GET /v1/filings or a review queue: valid,
// odd or hostile parameters, or a real or forged cursor sent as issued.
func (g *generator) listQuery(c *fuzzCase) string {
	if g.chance(0.15) {
		cc := g.w.cursors[g.r.IntN(len(g.w.cursors))]
		if cc.caller.header != "" {
			c.Header.Set("Authorization", cc.caller.header)
		}
		c.Caller = cc.caller.label
		return cc.query + "&cursor=" + url.QueryEscape(cc.cursor)
	}
	params := []string{"account_id", "stage", "province", "filing_type", "waiting_on", "step", "overdue", "closed",
		"created_from", "created_to", "sort", "limit", "cursor", "unknown", "Stage", "limit[]", ""}
	var parts []string
	for range g.r.IntN(5) {
		name := g.pick(params...)
		parts = append(parts, url.QueryEscape(name)+"="+g.queryValue(name))
	}
	if g.chance(0.05) {
		parts = append(parts, g.garbageQuery())
	}
	return strings.Join(parts, "&")
}

func (g *generator) queryValue(name string) string {
	if g.chance(0.3) {
		return g.pick("", "%20", "%00", "%ff", "%zz", "+", "a%26b%3Dc", url.QueryEscape(strings.Repeat("z", 5000)),
			url.QueryEscape("😀"), "true", "1", "-1")
	}
	cursor := g.w.cursors[g.r.IntN(len(g.w.cursors))].cursor
	values := map[string][]string{
		// A careless backend might filter by its customer's ID number or
		// name; neither may come back. (The enum filters stage and
		// filing_type do quote a wrong value back to its sender.)
		"account_id":   {fuzzAccountA, fuzzAccountB, "acc-it", "-bad", "acc it", markerID, markerName},
		"stage":        {"information", "initial_review,photo_verification", "approved,approved", "INFORMATION", ",", "information,,approved", "nonsense"},
		"province":     {"ZJ", "CN-ZJ", "zj", "HK", "XX"},
		"filing_type":  {"new_website_elsewhere", "first_filing", "nonsense"},
		"waiting_on":   {"reviewer", "applicant", "bureau", "nobody"},
		"step":         {"awaiting_reviewer", "editing", "Editing", "a_b", strings.Repeat("a", 65)},
		"overdue":      {"true", "false", "TRUE", "1", "yes"},
		"closed":       {"true", "false", "0"},
		"created_from": {"2026-01-01T00:00:00Z", "2026-01-01T00:00:00+08:00", "2026-01-01T00:00:00 08:00", "2026-13-45T99:99:99Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", "1700000000"},
		"created_to":   {"2020-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2026-01-01T00:00:00.123456789-23:59", "0001-01-01T00:00:00Z"},
		"sort":         {"created_at", "-created_at", "updated_at", "-deadline", "since", "--since", "deadline,since", "id"},
		"limit":        {"1", "50", "200", "201", "0", "-1", "1e3", "9999999999999999999", "2.5", "0x10"},
		"cursor":       {cursor, cursor + "A", "AAAA", "!!!", url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(`{"v":1}`))), strings.Repeat("A", 2000)},
	}
	if vs := values[name]; len(vs) > 0 {
		return url.QueryEscape(g.pick(vs...))
	}
	return "x"
}

func (g *generator) garbageQuery() string {
	return g.pick("%zz", "a=%", "&&&", "=", ";a=b", "a;b=c", "limit=1;limit=2", "%00=%00", strings.Repeat("a=b&", 500))
}

// sign signs most webhook deliveries correctly (so the payload is what is
// tested) and breaks the rest.
func (g *generator) sign(c *fuzzCase, i int) {
	now := time.Now().Unix()
	ts, id := now, fmt.Sprintf("fuzz-%d-%d", fuzzSeed1, i)
	if len(g.deliveries) > 0 && g.chance(0.05) {
		id = g.deliveries[g.r.IntN(len(g.deliveries))] // a replay
	}
	g.deliveries = append(g.deliveries, id)
	c.Caller = "webhook signature"
	switch n := g.r.IntN(100); {
	case n < 60:
	case n < 65:
		ts = now - 3600
	case n < 70:
		ts = now + 3600
	case n < 75:
		id = g.pick("a.b", strings.Repeat("d", 129), "", "ü", "a b")
	case n < 80:
		c.Header.Set(webhook.HeaderTimestamp, g.pick("", "-1", "1e9", "99999999999999999999999", " 1", "０"))
		c.Header.Set(webhook.HeaderDelivery, id)
		c.Header.Set(webhook.HeaderSignature, webhook.Sign(g.w.secret, ts, id, c.Body))
		return
	case n < 90:
		c.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
		c.Header.Set(webhook.HeaderDelivery, id)
		c.Header.Set(webhook.HeaderSignature, g.pick("", "sha256=", "sha256=zz", "sha256="+strings.Repeat("0", 64), "md5=1", strings.Repeat("f", 64)))
		return
	default:
		c.Caller = "no webhook signature"
		return
	}
	c.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
	c.Header.Set(webhook.HeaderDelivery, id)
	c.Header.Set(webhook.HeaderSignature, webhook.Sign(g.w.secret, ts, id, c.Body))
}

// headers sets the content type, idempotency key and language, sometimes
// oddly.
func (g *generator) headers(c *fuzzCase) {
	if c.Body != nil {
		if g.chance(0.8) {
			c.Header.Set("Content-Type", "application/json")
		} else {
			ct := g.pick("", "application/json; charset=utf-8", "Application/JSON", "application/json; charset=latin1", "application/json;",
				"application/json; x", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz",
				"application/merge-patch+json", "application/json, text/plain", "*/*", "application/\xff", "application/json; charset=\"")
			if ct != "" {
				c.Header.Set("Content-Type", ct)
			}
		}
	}
	switch n := g.r.IntN(100); {
	case n < 70:
	case n < 85:
		c.Header.Set("Idempotency-Key", fmt.Sprintf("fuzz-%d-%d", fuzzSeed2, g.r.IntN(1<<30)))
	case n < 90:
		c.Header.Set("Idempotency-Key", "fuzz-reused") // the same key, other bodies and paths
	default:
		c.Header.Set("Idempotency-Key", g.pick(" ", "a b", strings.Repeat("k", 255), strings.Repeat("k", 256), "键", "\xff", "k\t"))
	}
	if g.chance(0.3) {
		c.Header.Set("Accept-Language", g.pick("zh-CN,zh;q=0.9,en;q=0.8", "zh", "en", "*", "zh;q=abc", "zh;q=NaN", "zh;q=Inf", "zh;q=-1",
			"zh;q=1e999", "de", ";;;,,,", "zh-\xff", strings.Repeat("zh,", 3000), "en;q=0,zh;q=0"))
	}
	if g.chance(0.03) {
		c.Header.Set("X-Request-Id", g.pick("", "x", strings.Repeat("r", 5000), "\xff"))
	}
}

// createBody is a valid start of a filing for account A, for one of a few
// subjects: the first success locks the subject, the rest meet
// subject_busy.
func (g *generator) createBody(string) any {
	var m map[string]any
	company := g.w.companies[g.r.IntN(len(g.w.companies))]
	domain := g.pick("fuzz-a.com", "fuzz-b.cn", "云栖模糊.中国", "fuzz-c.com.cn")
	_ = json.Unmarshal([]byte(createBody(fuzzAccountA, "ZJ", domain, company)), &m)
	if company[2:4] == "31" {
		m["subject"].(map[string]any)["province"] = "SH"
	}
	if g.chance(0.2) {
		m["product"] = map[string]any{"service_number": "A1B2C3D4E5F6"}
	}
	if g.chance(0.1) {
		delete(m, "account_id") // defaults to the key's account
	}
	return m
}

// application is a complete, valid application, for the dry run.
func (g *generator) application() any {
	return applicationFor("ZJ", g.w.companies[1], "fuzz-validate.com", "云栖科技官网")
}

// --- Native fuzz targets -------------------------------------------------
//
// In `make test` only their seeds run. Fuzzing them for real starts a
// whole system in the coordinator and in each worker, so run them with
// -parallel 1:
//
//	go test -run XXX -fuzz FuzzCreateFilingRequest -fuzztime 60s -parallel 1 ./integration/

const nativeAccount = "acc-fuzz-native"

// FuzzCreateFilingRequest posts arbitrary bodies to POST /v1/filings.
func FuzzCreateFilingRequest(f *testing.F) {
	company := newCompany("ZJ")
	valid := createBody(nativeAccount, "ZJ", "fuzz-native.com", company)
	for _, seed := range []string{
		valid,
		createBody(nativeAccount, "ZJ", "云栖模糊.中国", company),
		createBody(nativeAccount, "SH", "fuzz-native.com", company),
		createBody(fuzzAccountB, "ZJ", "fuzz-native.com", company),
		`{"account_id":"acc-fuzz-native","subject":{"province":"ZJ","nature":"individual","certificate_type":"resident_id","certificate_number":"` + markerID + `"},"domain":"fuzz-native.cn","product":{"service_number":"A1B2C3D4E5F6"}}`,
		`{"account_id":"acc-fuzz-native","subject":{"province":"ZJ"},"domain":"a..com","product":{}}`,
		`{"account_id":1,"subject":[],"domain":null}`,
		`{"account_id":"acc-fuzz-native","account_id":"other"}`,
		`{"subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license","certificate_number":"x"},"domain":"www.sub.fuzz-native.com","product":{"instance_id":"i-hk-x"}}`,
		valid + "x",
		valid[:len(valid)/2],
		"[" + valid + "]",
		"",
		"null",
		"\xff\xfe",
		strings.Repeat("[", 10001),
	} {
		f.Add([]byte(seed))
	}
	var mu sync.Mutex
	var created []string
	f.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		terminate(created, "fuzz over")
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		key := keyFor(t, sys.baseURL, api.RoleBackend, nativeAccount)
		c := fuzzCase{route: "POST /v1/filings", Method: http.MethodPost, Target: "/v1/filings",
			Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + key}}, Body: body}
		o := send(c)
		if o.unsendable {
			t.Skip("net/http cannot send it")
		}
		if problem := judge(c, o); problem != "" {
			t.Fatalf("%s\n%s\n-> %s", problem, c, o)
		}
		if o.status == http.StatusCreated {
			var res struct {
				FilingID string `json:"filing_id"`
			}
			_ = json.Unmarshal(o.body, &res)
			mu.Lock()
			created = append(created, res.FilingID)
			mu.Unlock()
		}
	})
}

// actions are the endpoints FuzzActionRequest aims at, with the role that
// calls each.
var actions = []struct {
	method, path string
	role         api.Role
}{
	{http.MethodPut, "application", api.RoleBackend},
	{http.MethodPost, "materials", api.RoleBackend},
	{http.MethodPost, "uploads", api.RoleBackend},
	{http.MethodPost, "mailing-address", api.RoleBackend},
	{http.MethodPost, "product", api.RoleBackend},
	{http.MethodPost, "submit", api.RoleBackend},
	{http.MethodPost, "photo-path", api.RoleBackend},
	{http.MethodPost, "photo", api.RoleBackend},
	{http.MethodPost, "initial-review", api.RoleReviewer},
	{http.MethodPost, "photo-review", api.RoleReviewer},
	{http.MethodPost, "verification-result", api.RoleSupport},
	{http.MethodPost, "courier-events", api.RoleSupport},
	{http.MethodPost, "bureau-events/sms", api.RoleSupport},
	{http.MethodPost, "bureau-events/decision", api.RoleSupport},
	{http.MethodPost, "cancel", api.RoleBackend},
}

// nativeFiling is the filing FuzzActionRequest acts on, created on first
// use in each process (each fuzz worker runs a system of its own).
var nativeFiling struct {
	sync.Mutex
	id string
}

func actionTarget(t testing.TB) string {
	nativeFiling.Lock()
	defer nativeFiling.Unlock()
	if nativeFiling.id == "" {
		res := do(t, http.MethodPost, "/v1/filings", "application/json", createBody(nativeAccount, "ZJ", "fuzz-actions.com", newCompany("ZJ")))
		if res.Status != http.StatusCreated {
			t.Fatalf("creating the filing to act on: %d %s", res.Status, res.Raw)
		}
		id := res.Body["filing_id"].(string)
		waitStep(t, id, filing.StageInformation, filing.StepEditing)
		nativeFiling.id = id
	}
	return nativeFiling.id
}

// FuzzActionRequest sends arbitrary bodies to the actions on a filing: a
// real one in information/editing (cancel aims at an unknown ID instead,
// so the filing stays open) or one that does not exist.
func FuzzActionRequest(f *testing.F) {
	someID := "01a227a5-be39-7787-9814-9c07e6468f61"
	for i, a := range actions {
		valid, _ := json.Marshal(normalize(routeBody(a.path, someID)))
		for _, seed := range []string{string(valid), "{}", "", `{"unknown":1}`, "[]", string(valid) + "}", `{"reasons":[{"code":1}]}`} {
			f.Add(uint8(i), false, []byte(seed))
		}
		f.Add(uint8(i), true, valid)
	}
	f.Cleanup(func() {
		nativeFiling.Lock()
		defer nativeFiling.Unlock()
		if nativeFiling.id != "" {
			terminate([]string{nativeFiling.id}, "fuzz over")
		}
	})
	f.Fuzz(func(t *testing.T, action uint8, unknown bool, body []byte) {
		a := actions[int(action)%len(actions)]
		id := someID
		if !unknown && a.path != "cancel" {
			id = actionTarget(t)
		}
		account := ""
		if a.role == api.RoleBackend {
			account = nativeAccount
		}
		c := fuzzCase{route: a.method + " /v1/filings/{id}/" + a.path, Method: a.method, Target: "/v1/filings/" + id + "/" + a.path,
			Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + keyFor(t, sys.baseURL, a.role, account)}}, Body: body}
		o := send(c)
		if o.unsendable {
			t.Skip("net/http cannot send it")
		}
		if problem := judge(c, o); problem != "" {
			t.Fatalf("%s\n%s\n-> %s", problem, c, o)
		}
	})
}

// routeBody is the valid body of the action at path.
func routeBody(path, id string) any {
	if path == "application" {
		return applicationFor("ZJ", newCompany("ZJ"), "fuzz-actions.com", "云栖科技官网")
	}
	for _, r := range routes {
		if r.path == "/v1/filings/{id}/"+path {
			return r.body(&generator{r: rand.New(rand.NewPCG(1, 2))}, id)
		}
	}
	panic("no route " + path)
}
