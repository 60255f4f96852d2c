package integration

// Contract tests: business scenarios driven through the typed client
// (apiclient) against the running server, covering who may see and do what,
// authentication, idempotency, rate limits, localized errors, listings, the
// reviewer queue and metrics. Raw HTTP is used only where the client cannot
// express the request (no key, unknown query parameters, limit=0, /metrics).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

// headerRecorder keeps the headers of the last answer a client received,
// for the few headers the client does not surface (WWW-Authenticate,
// Content-Language).
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = res.Header.Clone()
		h.mu.Unlock()
	}
	return res, err
}

func (h *headerRecorder) get(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(name)
}

func (h *headerRecorder) option() apiclient.Option {
	return apiclient.WithHTTPClient(&http.Client{Transport: h, Timeout: apiclient.DefaultTimeout})
}

// clientAs is a client of the API at base holding the harness's key of role
// (and account); it never retries, so every answer is the server's first.
func clientAs(t testing.TB, base string, role api.Role, account string, opts ...apiclient.Option) *apiclient.Client {
	t.Helper()
	return apiclient.New(base, keyFor(t, base, role, account), append([]apiclient.Option{apiclient.WithRetries(0)}, opts...)...)
}

// apiErr requires err to carry the API's error answer.
func apiErr(t testing.TB, err error) *apiclient.Error {
	t.Helper()
	var e *apiclient.Error
	require.ErrorAs(t, err, &e)
	return e
}

func requireCode(t testing.TB, err error, status int, code, field string) *apiclient.Error {
	t.Helper()
	e := apiErr(t, err)
	assert.Equal(t, status, e.Status, "%v", e)
	assert.Equal(t, code, e.Code, "%v", e)
	assert.Equal(t, field, e.Field, "%v", e)
	assert.NotEmpty(t, e.Message)
	return e
}

// uniq is a short random suffix for accounts and domains of one test.
func uniq() string { return strings.ReplaceAll(uuid.NewString(), "-", "")[:10] }

// newFilingRequest is a valid create request of account for a new ZJ
// company.
func newFilingRequest(account, domain, instance string) filing.CreateRequest {
	return filing.CreateRequest{
		AccountID: account,
		Subject: filing.SubjectIdentity{Province: "ZJ", Nature: filing.NatureEnterprise,
			CertificateType: filing.CertBusinessLicense, CertificateNumber: newCompany("ZJ")},
		Domain:  domain,
		Product: filing.Product{InstanceID: instance},
	}
}

// clientStage waits until the filing, read through c, is in stage.
func clientStage(t testing.TB, c *apiclient.Client, id string, stage filing.Stage) *filing.View {
	t.Helper()
	var last *filing.View
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		f, err := c.GetFiling(context.Background(), filing.ID(id))
		if assert.NoError(ct, err) {
			last = f
			assert.Equal(ct, stage, f.Stage)
		}
	}, 60*time.Second, 100*time.Millisecond, "filing %s never reached %s", id, stage)
	return last
}

// accountRows lists the read model's filings of an account, straight from
// the database.
func accountRows(t testing.TB, account string) []store.Filing {
	t.Helper()
	rows, _, err := store.NewFilings(sys.app.DB).List(context.Background(), store.ListQuery{AccountID: account, Limit: store.MaxListLimit})
	require.NoError(t, err)
	return rows
}

// collect ranges over a listing iterator, failing on an error.
func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for it, err := range seq {
		require.NoError(t, err)
		out = append(out, it)
	}
	return out
}

func ids(items []filing.Row) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.FilingID)
	}
	return out
}

// rawGet sends a GET with an optional bearer token, for what the client
// cannot express.
func rawGet(t testing.TB, url, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(b)
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// TestContractTenantsCannotSeeOrTouchEachOthersFilings: a backend key sees
// and acts on its own account's filings only, and another account's filing
// is indistinguishable from one that does not exist.
func TestContractTenantsCannotSeeOrTouchEachOthersFilings(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	accA, accB := "acc-tenant-a-"+r, "acc-tenant-b-"+r
	a := clientAs(t, sys.baseURL, api.RoleBackend, accA)
	b := clientAs(t, sys.baseURL, api.RoleBackend, accB)

	reqA := newFilingRequest(accA, "tenant-a-"+r+".com", "i-tenant-a-"+r)
	created, err := a.CreateFiling(ctx, reqA)
	require.NoError(t, err)
	assert.Equal(t, accA, created.AccountID)
	id := created.FilingID

	// B leaves account_id out: it defaults to the key's account.
	reqB := newFilingRequest("", "tenant-b-"+r+".com", "i-tenant-b-"+r)
	ownB, err := b.CreateFiling(ctx, reqB)
	if !assert.NoError(t, err, "account_id left out defaults to the key's account") {
		reqB.AccountID = accB // go on with the rest of the contract
		ownB, err = b.CreateFiling(ctx, reqB)
		require.NoError(t, err)
	}
	assert.Equal(t, accB, ownB.AccountID)
	row, err := store.NewFilings(sys.app.DB).Get(ctx, ownB.FilingID)
	require.NoError(t, err)
	assert.Equal(t, accB, row.AccountID, "and is recorded so")
	clientStage(t, a, string(id), filing.StageInformation) // past product verification: actions would act

	// Every read and action of B on A's filing answers exactly as for a
	// filing that does not exist.
	missing := uuid.Must(uuid.NewV7()).String()
	app := applicationFor("ZJ", reqA.Subject.CertificateNumber, reqA.Domain, "云栖科技官网")
	calls := map[string]func(id string) error{
		"GetFiling": func(id string) error { _, err := b.GetFiling(ctx, filing.ID(id)); return err },
		"Timeline":  func(id string) error { _, err := b.Timeline(ctx, filing.ID(id)); return err },
		"Submit":    func(id string) error { _, err := b.Submit(ctx, filing.ID(id)); return err },
		"Cancel": func(id string) error {
			_, err := b.Cancel(ctx, filing.ID(id), filing.CancelRequest{Reason: "user_request"})
			return err
		},
		"SaveApplication": func(id string) error { _, err := b.SaveApplication(ctx, filing.ID(id), app); return err },
	}
	shape := func(err error, id string) apiclient.Error {
		e := *apiErr(t, err)
		e.RequestID = ""
		e.Message = strings.ReplaceAll(e.Message, id, "{id}")
		return e
	}
	for name, call := range calls {
		foreign := shape(call(string(id)), string(id))
		assert.Equal(t, http.StatusNotFound, foreign.Status, name)
		assert.Equal(t, filing.CodeFilingNotFound, foreign.Code, name)
		assert.Equal(t, shape(call(missing), missing), foreign, "%s: another account's filing looks like none at all", name)
		assert.NotContains(t, foreign.Message, accA, name)
	}

	// None of it acted.
	st, err := a.GetFiling(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, filing.StageInformation, st.Stage, "B's cancel and submit did nothing")
	assert.Nil(t, st.Application, "B's application was not saved")
	trail, err := a.Timeline(ctx, id)
	require.NoError(t, err)
	for _, e := range trail.Events {
		assert.NotEqual(t, "account:"+accB, e.Actor, "no action of B in A's audit trail")
	}

	// Listings: B sees its own filing only, and may not ask for A's account.
	listB := ids(collect(t, b.Filings(ctx, apiclient.ListFilingsParams{})))
	assert.Contains(t, listB, string(ownB.FilingID))
	assert.NotContains(t, listB, string(id))
	_, err = b.ListFilings(ctx, apiclient.ListFilingsParams{AccountID: accA})
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "account_id")
	assert.Contains(t, ids(collect(t, a.Filings(ctx, apiclient.ListFilingsParams{}))), string(id))
	assert.NotContains(t, ids(collect(t, a.Filings(ctx, apiclient.ListFilingsParams{}))), string(ownB.FilingID))

	// Reviewers and support see every account and may narrow to one.
	for _, role := range []api.Role{api.RoleReviewer, api.RoleSupport} {
		staff := clientAs(t, sys.baseURL, role, "")
		got, err := staff.GetFiling(ctx, id)
		require.NoError(t, err, role)
		assert.Equal(t, accA, got.AccountID, role)
		narrowed := collect(t, staff.Filings(ctx, apiclient.ListFilingsParams{AccountID: accA}))
		assert.Equal(t, []string{string(id)}, ids(narrowed), "%s: account_id narrows to A's one filing", role)
	}

	_, err = a.Cancel(ctx, id, filing.CancelRequest{})
	assert.NoError(t, err)
	_, err = b.Cancel(ctx, ownB.FilingID, filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractRequestsWithoutAValidKeyAreUnauthorized: no key, garbage, an
// unknown key, a wrong secret and a revoked key all get 401 with a
// WWW-Authenticate challenge; the probes need no key.
func TestContractRequestsWithoutAValidKeyAreUnauthorized(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	account := "acc-auth-" + uniq()
	keys := store.NewAPIKeys(sys.app.DB)

	unknown, err := apikeys.New()
	require.NoError(t, err)
	valid, err := apikeys.Issue(ctx, keys, string(api.RoleBackend), account, "contract test", time.Now())
	require.NoError(t, err)
	_, secret, ok := apikeys.Parse(unknown.Token)
	require.True(t, ok)
	wrongSecret := apikeys.Prefix + valid.ID + "_" + secret
	revoked, err := apikeys.Issue(ctx, keys, string(api.RoleBackend), account, "contract test, revoked", time.Now())
	require.NoError(t, err)
	// Revoked before its first use, so no cache of the server has seen it.
	require.NoError(t, keys.Revoke(ctx, revoked.ID, time.Now()))

	// The control: the valid key of the same account is let in.
	_, err = apiclient.New(sys.baseURL, valid.Token, apiclient.WithRetries(0)).ListFilings(ctx, apiclient.ListFilingsParams{})
	require.NoError(t, err)

	for name, token := range map[string]string{
		"no Authorization header": "",
		"garbage":                 "garbage",
		"well-formed unknown key": unknown.Token,
		"known ID, wrong secret":  wrongSecret,
		"revoked key":             revoked.Token,
	} {
		rec := &headerRecorder{}
		c := apiclient.New(sys.baseURL, token, apiclient.WithRetries(0), rec.option())
		_, err := c.ListFilings(ctx, apiclient.ListFilingsParams{})
		requireCode(t, err, http.StatusUnauthorized, filing.CodeUnauthorized, "")
		assert.Contains(t, rec.get("WWW-Authenticate"), "Bearer", name)

		req := newFilingRequest(account, "auth-"+uniq()+".com", "i-auth-web")
		_, err = c.CreateFiling(ctx, req)
		requireCode(t, err, http.StatusUnauthorized, filing.CodeUnauthorized, "")
	}
	assert.Empty(t, accountRows(t, account), "no unauthenticated request created a filing")

	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		status, _, body := rawGet(t, sys.baseURL+path, "")
		assert.Equal(t, http.StatusOK, status, "%s needs no key: %s", path, body)
	}
}

// TestContractEachRoleMayOnlyDoItsOwnWork: roles are enforced per
// endpoint, and an allowed role gets past authorisation to the business
// answer.
func TestContractEachRoleMayOnlyDoItsOwnWork(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	account := "acc-roles-" + r
	backend := clientAs(t, sys.baseURL, api.RoleBackend, account)
	reviewer := clientAs(t, sys.baseURL, api.RoleReviewer, "")
	support := clientAs(t, sys.baseURL, api.RoleSupport, "")

	f, err := backend.CreateFiling(ctx, newFilingRequest(account, "roles-"+r+".com", "i-roles-"+r))
	require.NoError(t, err)
	clientStage(t, backend, string(f.FilingID), filing.StageInformation)

	decision := filing.DecisionRequest{Approve: true, Reviewer: "staff-1"}
	_, err = backend.DecideInitialReview(ctx, f.FilingID, decision)
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	// Reviewers and support (who may decide over a claim) are let
	// through: the filing is not awaiting review.
	_, err = support.DecideInitialReview(ctx, f.FilingID, decision)
	requireCode(t, err, http.StatusConflict, filing.CodeStageConflict, "")
	_, err = reviewer.DecideInitialReview(ctx, f.FilingID, decision)
	requireCode(t, err, http.StatusConflict, filing.CodeStageConflict, "")

	other := "acc-roles-other-" + r
	req := newFilingRequest(other, "roles-other-"+r+".com", "i-roles-other-"+r)
	_, err = reviewer.CreateFiling(ctx, req)
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	_, err = backend.CreateFiling(ctx, req)
	requireCode(t, err, http.StatusForbidden, filing.CodeAccountMismatch, "account_id")
	assert.Empty(t, accountRows(t, other), "neither refused request created a filing")

	_, err = backend.ReviewQueue(ctx, filing.QueueInitial, 0, "")
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	_, err = support.ReviewQueue(ctx, filing.QueueInitial, 1, "")
	assert.NoError(t, err, "support reads the queues")

	_, err = backend.DeliverBureauDecision(ctx, f.FilingID, filing.BureauDecisionRequest{ReceiptID: "SBX-1", Approved: true, FilingNumber: "浙ICP备00000001号-1"})
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	_, err = support.DeliverBureauDecision(ctx, f.FilingID, filing.BureauDecisionRequest{ReceiptID: "SBX-1", Approved: true, FilingNumber: "浙ICP备00000001号-1"})
	requireCode(t, err, http.StatusConflict, filing.CodeStageConflict, "")

	_, err = support.Cancel(ctx, f.FilingID, filing.CancelRequest{})
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	st, err := backend.GetFiling(ctx, f.FilingID)
	require.NoError(t, err)
	assert.Equal(t, filing.StageInformation, st.Stage, "no refused request changed the filing")
	_, err = backend.Cancel(ctx, f.FilingID, filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractARepeatedPOSTWithTheSameIdempotencyKeyActsOnce: creation and
// actions are answered once per key and caller, and a key cannot be reused
// for another request.
func TestContractARepeatedPOSTWithTheSameIdempotencyKeyActsOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	account := "acc-idem-" + r
	c := clientAs(t, sys.baseURL, api.RoleBackend, account)
	key := "create-" + r
	req := newFilingRequest(account, "idem-"+r+".com", "i-idem-"+r)

	var first, again apiclient.Meta
	f1, err := c.CreateFiling(ctx, req, apiclient.IdempotencyKey(key), apiclient.Into(&first))
	require.NoError(t, err)
	f2, err := c.CreateFiling(ctx, req, apiclient.IdempotencyKey(key), apiclient.Into(&again))
	require.NoError(t, err)
	assert.False(t, first.Replayed)
	assert.Equal(t, http.StatusCreated, first.Status)
	assert.True(t, again.Replayed, "the repeat is answered from the first request")
	assert.Equal(t, http.StatusCreated, again.Status)
	assert.Equal(t, f1, f2, "with the first answer")
	require.Len(t, accountRows(t, account), 1, "one filing was created")

	// The same key for another request is refused and creates nothing …
	other := newFilingRequest(account, "idem-other-"+r+".com", "i-idem-"+r)
	_, err = c.CreateFiling(ctx, other, apiclient.IdempotencyKey(key))
	requireCode(t, err, http.StatusUnprocessableEntity, filing.CodeIdempotencyKeyReused, "Idempotency-Key")
	for _, bad := range []string{"has space", strings.Repeat("k", 300)} {
		_, err = c.CreateFiling(ctx, other, apiclient.IdempotencyKey(bad))
		requireCode(t, err, http.StatusBadRequest, filing.CodeInvalidIdempotencyKey, "Idempotency-Key")
	}
	assert.Len(t, accountRows(t, account), 1, "no refused request created a filing")
	// … though that request itself was fine.
	f3, err := c.CreateFiling(ctx, other, apiclient.IdempotencyKey(key+"-new"))
	require.NoError(t, err)
	assert.Len(t, accountRows(t, account), 2)

	// Keys are scoped per API key: another key of the same account with the
	// same key and body is not replayed but handled (its subject is busy).
	sibling, err := apikeys.Issue(ctx, store.NewAPIKeys(sys.app.DB), string(api.RoleBackend), account, "contract test, second key", time.Now())
	require.NoError(t, err)
	var siblingMeta apiclient.Meta
	_, err = apiclient.New(sys.baseURL, sibling.Token, apiclient.WithRetries(0)).
		CreateFiling(ctx, req, apiclient.IdempotencyKey(key), apiclient.Into(&siblingMeta))
	requireCode(t, err, http.StatusConflict, filing.CodeSubjectBusy, "subject")
	assert.False(t, siblingMeta.Replayed)
	// And another account's key with the same key starts its own filing.
	var elseMeta apiclient.Meta
	elsewhere := "acc-idem-else-" + r
	f4, err := clientAs(t, sys.baseURL, api.RoleBackend, elsewhere).
		CreateFiling(ctx, newFilingRequest(elsewhere, "idem-else-"+r+".com", "i-idem-else-"+r), apiclient.IdempotencyKey(key), apiclient.Into(&elseMeta))
	require.NoError(t, err)
	assert.False(t, elseMeta.Replayed)
	assert.NotEqual(t, f1.FilingID, f4.FilingID)
	assert.Equal(t, elsewhere, f4.AccountID)

	for _, id := range []string{string(f1.FilingID), string(f3.FilingID)} {
		_, err = c.Cancel(ctx, filing.ID(id), filing.CancelRequest{})
		assert.NoError(t, err)
	}
	_, err = clientAs(t, sys.baseURL, api.RoleBackend, elsewhere).Cancel(ctx, f4.FilingID, filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractARepeatedSubmitIsAnsweredWithTheFirstAnswer: an action
// retried with its key gets the stored answer and is not performed again.
func TestContractARepeatedSubmitIsAnsweredWithTheFirstAnswer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	s := startScenario(t, "ZJ", "idem-submit-"+r+".com", "云栖科技官网")
	account := "acc-scn" + s.app.Subject.CertificateNumber[10:16]
	c := clientAs(t, sys.baseURL, api.RoleBackend, account)

	var m1, m2 apiclient.Meta
	first, err := c.Submit(ctx, filing.ID(s.id), apiclient.IdempotencyKey("submit-"+r), apiclient.Into(&m1))
	require.NoError(t, err)
	assert.False(t, m1.Replayed)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	again, err := c.Submit(ctx, filing.ID(s.id), apiclient.IdempotencyKey("submit-"+r), apiclient.Into(&m2))
	require.NoError(t, err)
	assert.True(t, m2.Replayed)
	assert.Equal(t, first, again, "the first answer, not the filing's state now")
	// A new submit is refused in this stage: the replay did not run one.
	_, err = c.Submit(ctx, filing.ID(s.id), apiclient.IdempotencyKey("submit-"+r+"-new"))
	requireCode(t, err, http.StatusConflict, filing.CodeStageConflict, "")

	submits := func() int {
		trail, err := c.Timeline(ctx, filing.ID(s.id))
		require.NoError(t, err)
		n := 0
		for _, e := range trail.Events {
			if e.Action == filing.Submit.Name {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return submits() > 0 }, 20*time.Second, 100*time.Millisecond)
	assert.Equal(t, 1, submits(), "submitted once")
	_, err = c.Cancel(ctx, filing.ID(s.id), filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractABackendThatFollowsEventsTakesActionsWithoutTheState: with
// Prefer: return=minimal an action is taken and answered 204 with nothing,
// its retry with the key is answered the same and not taken again, and the
// reviewer who asks for the state still gets it.
func TestContractABackendThatFollowsEventsTakesActionsWithoutTheState(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	s := startScenario(t, "ZJ", "minimal-"+r+".com", "云栖科技官网")
	account := "acc-scn" + s.app.Subject.CertificateNumber[10:16]
	c := clientAs(t, sys.baseURL, api.RoleBackend, account)

	var m1, m2 apiclient.Meta
	v, err := c.Submit(ctx, filing.ID(s.id), apiclient.Minimal(), apiclient.IdempotencyKey("minimal-"+r), apiclient.Into(&m1))
	require.NoError(t, err)
	assert.Nil(t, v)
	assert.Equal(t, http.StatusNoContent, m1.Status)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	v, err = c.Submit(ctx, filing.ID(s.id), apiclient.Minimal(), apiclient.IdempotencyKey("minimal-"+r), apiclient.Into(&m2))
	require.NoError(t, err)
	assert.Nil(t, v)
	assert.True(t, m2.Replayed, "the first answer again")
	assert.Equal(t, http.StatusNoContent, m2.Status)

	// Raw, for the header the client does not surface.
	res := doAtWith(t, sys.baseURL, http.MethodPost, s.path("/initial-review"), "application/json",
		`{"approve":true,"reviewer":"staff-1"}`, map[string]string{"Prefer": "respond-async, return=minimal; foo=bar"})
	assert.Equal(t, http.StatusNoContent, res.Status, "%s", res.Raw)
	assert.Equal(t, "return=minimal", res.Header.Get("Preference-Applied"))
	assert.Empty(t, res.Raw)
	st := s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	assert.Equal(t, s.id, st["filing_id"], "the action was taken")
	_, err = c.Cancel(ctx, filing.ID(s.id), filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractAKeyOverItsRateIsToldWhenToRetry: an API with a tiny limit
// answers 429 with Retry-After to the key that exceeded it, and only to it.
func TestContractAKeyOverItsRateIsToldWhenToRetry(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := api.New(api.Deps{
		Temporal: sys.app.Temporal, TaskQueue: sys.app.Config.TaskQueue, DB: sys.app.DB,
		Documents: sys.app.Documents, Records: sys.app.World.Records,
		Webhooks: []byte(sys.app.Config.World.WebhookSecret), Process: sys.app.Config.Process,
		API: config.API{RateLimit: 1, RateBurst: 3}, Log: slog.New(slog.DiscardHandler),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	registerAPI(srv.URL, sys.app.DB)
	r := uniq()
	busy := clientAs(t, srv.URL, api.RoleBackend, "acc-rate-a-"+r)
	calm := clientAs(t, srv.URL, api.RoleBackend, "acc-rate-b-"+r)

	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = busy.ListFilings(ctx, apiclient.ListFilingsParams{}) })
	}
	wg.Wait()
	ok, limited := 0, 0
	var wait time.Duration
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		e := requireCode(t, err, http.StatusTooManyRequests, filing.CodeRateLimited, "")
		assert.GreaterOrEqual(t, e.RetryAfter, time.Second, "Retry-After is at least 1 s")
		wait = max(wait, e.RetryAfter)
		limited++
	}
	assert.GreaterOrEqual(t, ok, 3, "the burst is served")
	assert.GreaterOrEqual(t, limited, 1, "six requests at once exceed a burst of three")

	_, err := calm.ListFilings(ctx, apiclient.ListFilingsParams{})
	assert.NoError(t, err, "another key has its own bucket")

	time.Sleep(wait + 100*time.Millisecond)
	_, err = busy.ListFilings(ctx, apiclient.ListFilingsParams{})
	assert.NoError(t, err, "after Retry-After the key is served again")
}

// TestContractErrorsSpeakTheCallersLanguage: the code and field stay the
// same; the message and Content-Language follow Accept-Language.
func TestContractErrorsSpeakTheCallersLanguage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	account := "acc-lang-" + uniq()
	zhRec, enRec := &headerRecorder{}, &headerRecorder{}
	zh := clientAs(t, sys.baseURL, api.RoleBackend, account, apiclient.WithLanguage("zh-CN"), zhRec.option())
	en := clientAs(t, sys.baseURL, api.RoleBackend, account, apiclient.WithLanguage(apiclient.LanguageEN), enRec.option())

	noDomain := newFilingRequest(account, "", "i-lang-web")
	badTLD := newFilingRequest(account, "example.io", "i-lang-web")
	for name, req := range map[string]filing.CreateRequest{"missing domain": noDomain, "TLD not approved": badTLD} {
		_, err := en.CreateFiling(ctx, req)
		inEN := apiErr(t, err)
		_, err = zh.CreateFiling(ctx, req)
		inZH := apiErr(t, err)

		assert.Equal(t, http.StatusBadRequest, inZH.Status, name)
		assert.Equal(t, inEN.Status, inZH.Status, name)
		assert.Equal(t, inEN.Code, inZH.Code, "%s: codes never change with the language", name)
		assert.Equal(t, "domain", inZH.Field, name)
		assert.Equal(t, inEN.Field, inZH.Field, name)
		assert.True(t, hasHan(inZH.Message), "%s: a Chinese message: %q", name, inZH.Message)
		assert.False(t, hasHan(inEN.Message), "%s: an English message: %q", name, inEN.Message)
		assert.Equal(t, "zh", zhRec.get("Content-Language"), name)
		assert.Equal(t, "en", enRec.get("Content-Language"), name)
	}
	assert.Empty(t, accountRows(t, account))
}

// TestContractListingsPageFilterAndRefuseWhatTheyDoNotKnow: a fresh
// account's filings page newest first with cursors bound to their filters.
func TestContractListingsPageFilterAndRefuseWhatTheyDoNotKnow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	account := "acc-list-" + r
	c := clientAs(t, sys.baseURL, api.RoleBackend, account)
	var created []string
	for _, n := range []string{"1", "2", "3"} {
		f, err := c.CreateFiling(ctx, newFilingRequest(account, "list-"+r+"-"+n+".com", "i-list-"+r))
		require.NoError(t, err)
		created = append(created, string(f.FilingID))
	}
	newestFirst := []string{created[2], created[1], created[0]}

	page, err := c.ListFilings(ctx, apiclient.ListFilingsParams{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, newestFirst[:2], ids(page.Items))
	require.NotEmpty(t, page.NextCursor)
	rest, err := c.ListFilings(ctx, apiclient.ListFilingsParams{Limit: 2, Cursor: page.NextCursor})
	require.NoError(t, err)
	assert.Equal(t, newestFirst[2:], ids(rest.Items))
	assert.Empty(t, rest.NextCursor, "the last page has no cursor")
	all := collect(t, c.Filings(ctx, apiclient.ListFilingsParams{Limit: 1}))
	assert.Equal(t, newestFirst, ids(all), "every filing once, newest first")
	for _, it := range all {
		assert.Equal(t, account, it.AccountID)
	}

	// Stage filter: all three wait for the application; one is cancelled.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		p, err := c.ListFilings(ctx, apiclient.ListFilingsParams{Stages: []filing.Stage{filing.StageInformation}})
		if assert.NoError(ct, err) {
			assert.ElementsMatch(ct, created, ids(p.Items))
		}
	}, 60*time.Second, 100*time.Millisecond)
	_, err = c.Cancel(ctx, filing.ID(created[1]), filing.CancelRequest{})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		p, err := c.ListFilings(ctx, apiclient.ListFilingsParams{Stages: []filing.Stage{filing.StageCancelled}})
		if assert.NoError(ct, err) {
			assert.Equal(ct, []string{created[1]}, ids(p.Items))
		}
	}, 30*time.Second, 100*time.Millisecond)
	p, err := c.ListFilings(ctx, apiclient.ListFilingsParams{Stages: []filing.Stage{filing.StageInformation}})
	require.NoError(t, err)
	assert.Equal(t, []string{created[2], created[0]}, ids(p.Items))
	p, err = c.ListFilings(ctx, apiclient.ListFilingsParams{Stages: []filing.Stage{filing.StageInformation, filing.StageCancelled}})
	require.NoError(t, err)
	assert.Equal(t, newestFirst, ids(p.Items))

	// Refusals.
	_, err = c.ListFilings(ctx, apiclient.ListFilingsParams{Cursor: "garbage"})
	requireCode(t, err, http.StatusBadRequest, filing.CodeInvalidCursor, "cursor")
	_, err = c.ListFilings(ctx, apiclient.ListFilingsParams{Limit: 2, Cursor: page.NextCursor,
		Stages: []filing.Stage{filing.StageCancelled}})
	requireCode(t, err, http.StatusBadRequest, filing.CodeInvalidCursor, "cursor")
	_, err = c.ListFilings(ctx, apiclient.ListFilingsParams{Limit: 500})
	requireCode(t, err, http.StatusBadRequest, filing.CodeInvalidValue, "limit")
	token := keyFor(t, sys.baseURL, api.RoleBackend, account)
	for query, want := range map[string][2]string{
		"acount_id=" + account: {filing.CodeUnknownField, "acount_id"},
		"limit=0":              {filing.CodeInvalidValue, "limit"},
		"limit=500":            {filing.CodeInvalidValue, "limit"},
	} {
		status, _, body := rawGet(t, sys.baseURL+"/v1/filings?"+query, token)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", query, body)
		assert.Contains(t, body, `"code":"`+want[0]+`"`, query)
		assert.Contains(t, body, `"field":"`+want[1]+`"`, query)
	}

	for _, id := range []string{created[0], created[2]} {
		_, err = c.Cancel(ctx, filing.ID(id), filing.CancelRequest{})
		assert.NoError(t, err)
	}
}

// TestContractTheReviewerQueueHoldsFilingsAwaitingReviewUntilDecided:
// submitted filings join the initial-review queue, longest waiting first,
// and each leaves it once decided.
func TestContractTheReviewerQueueHoldsFilingsAwaitingReviewUntilDecided(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	early := startScenario(t, "ZJ", "queue-early-"+r+".com", "云栖科技官网")
	late := startScenario(t, "ZJ", "queue-late-"+r+".com", "云栖科技官网")
	early.ok("/submit", `{}`)
	early.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	late.ok("/submit", `{}`)
	late.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	reviewer := clientAs(t, sys.baseURL, api.RoleReviewer, "")

	// queue pages through the whole queue (other tests' filings may be in
	// it) and returns it with the positions of early and late (-1: absent).
	queue := func(ct assert.TestingT) (all []filing.QueuedRow, e, l int) {
		e, l = -1, -1
		for it, err := range reviewer.ReviewQueueItems(ctx, filing.QueueInitial, 20) {
			if !assert.NoError(ct, err) {
				return nil, -1, -1
			}
			switch it.FilingID {
			case filing.ID(early.id):
				e = len(all)
			case filing.ID(late.id):
				l = len(all)
			}
			all = append(all, it)
		}
		return all, e, l
	}
	var all []filing.QueuedRow
	var e, l int
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		all, e, l = queue(ct)
		assert.True(ct, e >= 0 && l >= 0, "both submitted filings are in the initial queue")
	}, 30*time.Second, 100*time.Millisecond)
	assert.Less(t, e, l, "the longer waiting filing comes first")
	q := all[e]
	assert.Equal(t, "acc-scn"+early.app.Subject.CertificateNumber[10:16], q.AccountID)
	assert.Equal(t, filing.StageInitialReview, q.Stage)
	assert.Equal(t, filing.StepAwaitingReviewer, q.Step)
	assert.Equal(t, filing.PartyReviewer, q.WaitingOn)
	require.NotNil(t, q.Since, "the wait's start is known")
	assert.WithinDuration(t, time.Now(), *q.Since, time.Minute)
	require.NotNil(t, q.WaitedBusinessDays, "the wait start is recorded, so the wait is known")
	require.NotNil(t, q.WaitedHours)
	assert.GreaterOrEqual(t, *q.WaitedBusinessDays, 0)
	assert.GreaterOrEqual(t, *q.WaitedHours, 0)
	seen := map[string]bool{}
	for i, it := range all {
		assert.False(t, seen[string(it.FilingID)], "each filing once: %s", it.FilingID)
		seen[string(it.FilingID)] = true
		assert.Equal(t, filing.StageInitialReview, it.Stage)
		assert.False(t, it.Closed)
		if i > 0 && it.Since != nil {
			require.NotNil(t, all[i-1].Since, "filings without a wait start sort last")
			assert.False(t, it.Since.Before(*all[i-1].Since), "longest waiting first")
		}
	}

	decided, err := reviewer.DecideInitialReview(ctx, filing.ID(early.id), filing.DecisionRequest{Approve: true, Reviewer: "staff-q"})
	require.NoError(t, err)
	assert.NotEqual(t, filing.StageInitialReview, decided.Stage, "the approval moved the filing on")
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		_, e, l := queue(ct)
		assert.Equal(ct, -1, e, "a decided filing leaves the queue")
		assert.GreaterOrEqual(ct, l, 0, "an undecided one stays")
	}, 30*time.Second, 100*time.Millisecond)
	early.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	early.ok("/cancel", `{}`)
	late.ok("/cancel", `{}`)
}

// TestContractMetricsCountRoutesByTemplateAndIncludeTheSDK: /metrics labels
// HTTP requests with route templates, never filing IDs, and carries the
// Temporal SDK's metrics.
func TestContractMetricsCountRoutesByTemplateAndIncludeTheSDK(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	account := "acc-metrics-" + r
	c := clientAs(t, sys.baseURL, api.RoleBackend, account)
	f, err := c.CreateFiling(ctx, newFilingRequest(account, "metrics-"+r+".com", "i-metrics-"+r))
	require.NoError(t, err)
	_, err = c.GetFiling(ctx, f.FilingID)
	require.NoError(t, err)
	missing := uuid.Must(uuid.NewV7()).String()
	_, err = c.GetFiling(ctx, filing.ID(missing))
	requireCode(t, err, http.StatusNotFound, filing.CodeFilingNotFound, "")
	unmatched := uuid.Must(uuid.NewV7()).String()
	status, _, _ := rawGet(t, sys.baseURL+"/v1/filings/"+unmatched+"/no-such-thing", keyFor(t, sys.baseURL, api.RoleBackend, account))
	assert.Equal(t, http.StatusNotFound, status)

	status, _, scrape := rawGet(t, sys.baseURL+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	for _, status := range []string{"200", "404"} {
		assert.Regexp(t, `(?m)^beianflow_http_requests_total\{method="GET",route="/v1/filings/:id",status="`+status+`"\} \d+`, scrape)
	}
	assert.Regexp(t, `(?m)^temporal_\w+`, scrape, "the Temporal SDK's metrics are served")

	var all []string
	require.NoError(t, sys.app.DB.Gorm.Model(&store.Filing{}).Pluck("id", &all).Error)
	all = append(all, missing, unmatched)
	require.Contains(t, all, string(f.FilingID))
	for _, id := range all {
		assert.NotContains(t, scrape, id, "no filing ID in a label")
	}
	routes := map[string]bool{}
	for _, m := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(scrape, -1) {
		routes[m[1]] = true
	}
	assert.True(t, routes["unmatched"], "the unknown path is counted as unmatched")
	for route := range routes {
		assert.True(t, route == "unmatched" || strings.HasPrefix(route, "/"), "route label %q", route)
		assert.False(t, slices.ContainsFunc(strings.Split(route, "/"), func(seg string) bool {
			_, err := uuid.Parse(seg)
			return err == nil
		}), "route label %q holds an ID", route)
	}

	_, err = c.Cancel(ctx, f.FilingID, filing.CancelRequest{})
	assert.NoError(t, err)
}

// TestContractOneIdempotencyKeyNeverSwallowsAnotherAction: Temporal
// deduplicates update IDs per workflow whatever the update, so the raw
// Idempotency-Key must not be the update ID — a second caller (or a cancel
// reusing a submit's key) would be answered without acting.
func TestContractOneIdempotencyKeyNeverSwallowsAnotherAction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := uniq()
	s := startScenario(t, "ZJ", "idem-scope-"+r+".com", "云栖科技官网")
	account := "acc-scn" + s.app.Subject.CertificateNumber[10:16]
	first := clientAs(t, sys.baseURL, api.RoleBackend, account)
	other, err := apikeys.Issue(ctx, store.NewAPIKeys(sys.app.DB), "backend", account, "second integration", time.Now())
	require.NoError(t, err)
	second := apiclient.New(sys.baseURL, other.Token, apiclient.WithRetries(0))

	_, err = first.Submit(ctx, filing.ID(s.id), apiclient.IdempotencyKey("shared-"+r))
	require.NoError(t, err)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	var meta apiclient.Meta
	_, err = second.Cancel(ctx, filing.ID(s.id), filing.CancelRequest{}, apiclient.IdempotencyKey("shared-"+r), apiclient.Into(&meta))
	require.NoError(t, err)
	assert.False(t, meta.Replayed)
	s.wait(filing.StageCancelled, filing.StepNone) // the cancel acted
}
