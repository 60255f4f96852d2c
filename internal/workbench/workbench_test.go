package workbench_test

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/workbench"
)

const (
	devToken = "development-sign-in-secret-0123456789abcdef"
	filingID = "0190c5d2-1111-7000-8000-000000000001"
)

// reviews is the workbench's view of the system, recording what it was
// asked to do.
type reviews struct {
	mu        sync.Mutex
	claims    []string // "actor filing"
	decisions []filing.DecisionRequest
	docType   string
	rows      []filing.QueuedRow
}

func (r *reviews) Queue(echo.Context, filing.Queue) ([]filing.QueuedRow, error) { return r.rows, nil }

func (r *reviews) Filing(_ echo.Context, id filing.ID) (workbench.Filing, error) {
	return workbench.Filing{State: filing.State{Identity: filing.Identity{FilingID: id, Province: "ZJ"},
		Stage: filing.StageInitialReview, Step: filing.StepAwaitingReviewer}, Queue: filing.QueueInitial}, nil
}

func (r *reviews) Document(echo.Context, filing.ID, int) (workbench.Document, error) {
	return workbench.Document{ContentType: r.docType, Body: []byte("<script>alert(1)</script>")}, nil
}

func (r *reviews) Claim(c echo.Context, id filing.ID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := auth.PrincipalOf(c)
	r.claims = append(r.claims, string(p.Role)+":"+p.KeyID+" "+string(id))
	return nil
}

func (r *reviews) Release(echo.Context, filing.ID) error { return nil }

func (r *reviews) Decide(_ echo.Context, _ filing.ID, req filing.DecisionRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(req.Reasons) > 0 && req.Reasons[0].Code == "not_in_catalogue" {
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction, Field: "reasons[0].code", Message: "no such reason"}
	}
	r.decisions = append(r.decisions, req)
	return nil
}

type bench struct {
	t       *testing.T
	srv     *httptest.Server
	client  *http.Client
	reviews *reviews
	clock   *testenv.Clock
}

// newBench serves the workbench with the options adjusted, and a browser
// that keeps cookies and does not follow redirects by itself.
func newBench(t *testing.T, adjust func(*workbench.Options)) *bench {
	t.Helper()
	b := &bench{t: t, reviews: &reviews{docType: "application/pdf"}, clock: testenv.NewClock(time.Now())}
	o := workbench.Options{Reviews: b.reviews, SessionKey: []byte("0123456789abcdef0123456789abcdef"), SessionTTL: time.Hour,
		DevSignInToken: devToken, Log: slog.New(slog.DiscardHandler), Now: b.clock.Now}
	if adjust != nil {
		adjust(&o)
	}
	e := echo.New()
	_, err := workbench.Mount(e, o)
	require.NoError(t, err)
	b.srv = httptest.NewServer(e)
	t.Cleanup(b.srv.Close)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return b
}

func (b *bench) get(path string) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodGet, path, nil, nil)
}

// post sends a form as the workbench's own page does.
func (b *bench) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.send(http.MethodPost, path, form, http.Header{"Origin": {b.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
}

func (b *bench) send(method, path string, form url.Values, h http.Header) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.srv.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return res, string(raw)
}

// signIn signs in through the development link and returns the form token
// of the session.
func (b *bench) signIn(handle, role string) string {
	b.t.Helper()
	res, _ := b.post("/workbench/sign-in/dev", url.Values{"token": {devToken}, "handle": {handle}, "role": {role}})
	require.Equal(b.t, http.StatusSeeOther, res.StatusCode)
	return b.csrf()
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *bench) csrf() string {
	b.t.Helper()
	res, page := b.get("/workbench/filings/" + filingID)
	require.Equal(b.t, http.StatusOK, res.StatusCode, page)
	m := csrfField.FindStringSubmatch(page)
	require.NotNil(b.t, m, page)
	return m[1]
}

func TestEveryPageCarriesAStrictContentSecurityPolicy(t *testing.T) {
	b := newBench(t, nil)
	for _, path := range []string{"/workbench/sign-in", "/workbench/queues/initial", "/workbench/sign-in/dev?token=" + devToken} {
		res, _ := b.get(path)
		csp := res.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'none'", path)
		assert.Contains(t, csp, "script-src 'self';", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.NotContains(t, csp, "unsafe", path)
		assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), path)
	}
	b.signIn("reviewer-1", "reviewer")
	_, page := b.get("/workbench/filings/" + filingID)
	assert.NotContains(t, page, "<script>", "no inline script")
	assert.NotContains(t, page, " style=", "no inline style")
	assert.NotRegexp(t, `\son[a-z]+=`, page, "no inline event handlers")
}

func TestWithoutASessionPagesAskToSignInAndFormsDoNothing(t *testing.T) {
	b := newBench(t, nil)
	res, _ := b.get("/workbench/queues/initial")
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/workbench/sign-in", res.Header.Get("Location"))
	res, _ = b.post("/workbench/filings/"+filingID+"/claim", url.Values{"csrf": {"guess"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Empty(t, b.reviews.claims)
}

func TestAFormIsTakenOnlyWithItsSessionsTokenFromTheWorkbenchItself(t *testing.T) {
	b := newBench(t, nil)
	token := b.signIn("reviewer-1", "reviewer")
	claim := "/workbench/filings/" + filingID + "/claim"

	res, _ := b.post(claim, url.Values{})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no token")
	res, _ = b.post(claim, url.Values{"csrf": {token + "x"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "wrong token")
	res, _ = b.send(http.MethodPost, claim, url.Values{"csrf": {token}}, http.Header{"Origin": {"https://evil.example"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "another origin")
	res, _ = b.send(http.MethodPost, claim, url.Values{"csrf": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "another site")
	assert.Empty(t, b.reviews.claims, "nothing was claimed")

	res, _ = b.post(claim, url.Values{"csrf": {token}})
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, []string{"reviewer:dev:reviewer-1 " + filingID}, b.reviews.claims)
}

func TestATamperedOrExpiredSessionIsNotAccepted(t *testing.T) {
	b := newBench(t, nil)
	b.signIn("reviewer-1", "reviewer")
	u, _ := url.Parse(b.srv.URL + "/workbench/")
	var session *http.Cookie
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "bf_wb_session" {
			session = c
		}
	}
	require.NotNil(t, session)

	// The same session with the role changed to support, signature kept.
	body, sig, _ := strings.Cut(session.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(body)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"role":"reviewer"`)
	raw = []byte(strings.Replace(string(raw), `"role":"reviewer"`, `"role":"support"`, 1))
	forged := base64.RawURLEncoding.EncodeToString(raw) + "." + sig
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: "bf_wb_session", Value: forged, Path: "/workbench/"}})
	other := &http.Client{Jar: jar, CheckRedirect: b.client.CheckRedirect}
	res, err := other.Get(b.srv.URL + "/workbench/queues/initial")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "a forged session signs nobody in")

	res, _ = b.get("/workbench/queues/initial")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	b.clock.Advance(time.Hour)
	res, _ = b.get("/workbench/queues/initial")
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "the session ended after its TTL")
}

func TestTheDevelopmentSignInNeedsItsSecretAndAStaffID(t *testing.T) {
	b := newBench(t, nil)
	res, _ := b.get("/workbench/sign-in/dev?token=wrong")
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, _ = b.post("/workbench/sign-in/dev", url.Values{"token": {devToken}, "handle": {"li@example.com"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "an e-mail is no staff ID")

	off := newBench(t, func(o *workbench.Options) { o.DevSignInToken = "" })
	res, _ = off.get("/workbench/sign-in/dev?token=")
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, _ = off.post("/workbench/sign-in/dev", url.Values{"token": {""}, "handle": {"x"}})
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestARejectionNeedsAReasonAndAnAPIRefusalIsShownInTheReviewersLanguage(t *testing.T) {
	b := newBench(t, nil)
	token := b.signIn("reviewer-1", "reviewer")
	decide := "/workbench/filings/" + filingID + "/decision"
	res, page := b.post(decide, url.Values{"csrf": {token}, "approve": {"false"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "请至少选择一条驳回原因")
	res, page = b.post(decide, url.Values{"csrf": {token}, "approve": {"false"}, "reason": {"not_in_catalogue|subject.name"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "此操作的内容无效 (invalid_action)")
	assert.Empty(t, b.reviews.decisions)

	res, _ = b.post(decide, url.Values{"csrf": {token}, "approve": {"false"}, "queue": {"initial"},
		"reason": {"name_mismatch|websites[0].name", "subject_name_mismatch|subject.name"}, "supplement": {"请按营业执照填写"}})
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/workbench/queues/initial", res.Header.Get("Location"))
	require.Len(t, b.reviews.decisions, 1)
	got := b.reviews.decisions[0]
	assert.Equal(t, "dev:reviewer-1", got.Reviewer)
	assert.Equal(t, []filing.Reason{{Code: "name_mismatch", Field: "websites[0].name", Message: "请按营业执照填写"},
		{Code: "subject_name_mismatch", Field: "subject.name"}}, got.Reasons)
}

func TestMaterialsAreServedInlineOnlyAsImagesOrPDFs(t *testing.T) {
	b := newBench(t, nil)
	b.signIn("reviewer-1", "reviewer")
	res, _ := b.get("/workbench/filings/" + filingID + "/documents/0")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	assert.Equal(t, "SAMEORIGIN", res.Header.Get("X-Frame-Options"), "framed by the workbench only")
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))

	b.reviews.docType = "text/html"
	res, _ = b.get("/workbench/filings/" + filingID + "/documents/0")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode)
}

func TestTheLanguageSwitchStaysOnTheWorkbench(t *testing.T) {
	b := newBench(t, nil)
	res, _ := b.post("/workbench/language", url.Values{"lang": {"en"}, "back": {"//evil.example/workbench/"}})
	assert.Equal(t, "/workbench/", res.Header.Get("Location"))
	_, page := b.get("/workbench/sign-in")
	assert.Contains(t, page, "Sign in")
	res, _ = b.post("/workbench/language", url.Values{"lang": {"zh"}, "back": {"/workbench/sign-in"}})
	assert.Equal(t, "/workbench/sign-in", res.Header.Get("Location"))
	_, page = b.get("/workbench/sign-in")
	assert.Contains(t, page, "登录")
}

func TestTheQueueShowsTheTimeLeftAgainstTheReviewTargetAndWhoHoldsAFiling(t *testing.T) {
	b := newBench(t, nil)
	now := b.clock.Now()
	due, late := now.Add(90*time.Minute), now.Add(-2*time.Hour)
	days := 1
	b.reviews.rows = []filing.QueuedRow{
		{Row: filing.Row{Identity: filing.Identity{FilingID: "0190c5d2-1111-7000-8000-00000000000a", Province: "ZJ"},
			Deadline: &late, DeadlineBusinessDays: 1, Overdue: true}, WaitedBusinessDays: &days},
		{Row: filing.Row{Identity: filing.Identity{FilingID: "0190c5d2-1111-7000-8000-00000000000b", Province: "SH"},
			Deadline: &due, DeadlineBusinessDays: 1}, ClaimedBy: "reviewer:dev:reviewer-1", ClaimExpiresAt: &due},
	}
	b.signIn("reviewer-1", "reviewer")
	res, page := b.get("/workbench/queues/initial")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "已超时 2 小时 0 分钟")
	assert.Contains(t, page, "1 小时 30 分钟")
	assert.Contains(t, page, "浙江 · ZJ")
	assert.Contains(t, page, `class=" mine"`, "the reviewer's own claim is marked")
	assert.Contains(t, page, "reviewer:dev:reviewer-1")
}
