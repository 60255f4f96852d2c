package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

var (
	listNow  = time.Date(2026, 9, 21, 2, 0, 0, 0, time.UTC)
	support  = auth.Principal{KeyID: "k-support", Role: RoleSupport}
	reviewer = auth.Principal{KeyID: "k-reviewer", Role: RoleReviewer}
	backend  = auth.Principal{KeyID: "k-backend", Role: RoleBackend, AccountID: "acc-1"}
)

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	require.NoError(t, err)
	return v
}

func TestListQueryDefaultsToNewestFirstPagesOf50(t *testing.T) {
	q, e := parseListQuery(url.Values{}, support, listNow)
	require.Nil(t, e)
	assert.Equal(t, store.ListQuery{Now: listNow, Sort: store.Sort{Field: store.SortCreatedAt, Desc: true}, Limit: 50}, q)
}

func TestListQueryReadsEveryFilter(t *testing.T) {
	q, e := parseListQuery(query(t,
		"stage=initial_review,photo_verification&stage=bureau_review&province=cn-zj&filing_type=new_website_elsewhere"+
			"&waiting_on=reviewer&step=awaiting_reviewer&overdue=true&closed=false"+
			"&created_from=2026-09-01T00:00:00%2B08:00&created_to=2026-09-15T00:00:00Z&sort=-deadline&limit=200&cursor=abc"+
			"&account_id=acc-7"), reviewer, listNow)
	require.Nil(t, e)
	from := time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC)
	to := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "acc-7", q.AccountID, "reviewers may narrow to one account")
	assert.Equal(t, []string{"initial_review", "photo_verification", "bureau_review"}, q.Stages)
	assert.Equal(t, "ZJ", q.Province, "provinces are normalised like the create endpoint's")
	assert.Equal(t, "new_website_elsewhere", q.FilingType)
	assert.Equal(t, string(filing.PartyReviewer), q.WaitingOn)
	assert.Equal(t, string(filing.StepAwaitingReviewer), q.Step)
	require.NotNil(t, q.Overdue)
	assert.True(t, *q.Overdue)
	require.NotNil(t, q.Closed)
	assert.False(t, *q.Closed)
	require.NotNil(t, q.CreatedFrom)
	assert.True(t, q.CreatedFrom.Equal(from), "%v", q.CreatedFrom)
	require.NotNil(t, q.CreatedTo)
	assert.True(t, q.CreatedTo.Equal(to))
	assert.Equal(t, store.Sort{Field: store.SortDeadline, Desc: true}, q.Sort)
	assert.Equal(t, 200, q.Limit)
	assert.Equal(t, "abc", q.Cursor)
	assert.Equal(t, listNow, q.Now)
}

func TestListQuerySorts(t *testing.T) {
	for param, want := range map[string]store.Sort{
		"created_at": {Field: store.SortCreatedAt}, "-created_at": {Field: store.SortCreatedAt, Desc: true},
		"updated_at": {Field: store.SortUpdatedAt}, "-updated_at": {Field: store.SortUpdatedAt, Desc: true},
		"deadline": {Field: store.SortDeadline}, "-deadline": {Field: store.SortDeadline, Desc: true},
		"since": {Field: store.SortSince}, "-since": {Field: store.SortSince, Desc: true},
	} {
		q, e := parseListQuery(url.Values{"sort": {param}}, support, listNow)
		require.Nil(t, e, param)
		assert.Equal(t, want, q.Sort, param)
	}
}

// An unencoded + in a query string decodes as a space; a China-time
// timestamp pasted into a URL still means what it says.
func TestListQueryTimeWithUnencodedPlus(t *testing.T) {
	q, e := parseListQuery(query(t, "created_from=2026-09-01T00:00:00+08:00"), support, listNow)
	require.Nil(t, e)
	assert.True(t, q.CreatedFrom.Equal(time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC)))
}

func TestListQueryRefusesBadParameters(t *testing.T) {
	cases := []struct {
		name, raw, code, field string
	}{
		{"unknown stage", "stage=reviewing", filing.CodeInvalidValue, "stage"},
		{"one bad stage of two", "stage=information,reviewing", filing.CodeInvalidValue, "stage"},
		{"empty stage", "stage=", filing.CodeInvalidValue, "stage"},
		{"stage list with a hole", "stage=information,,approved", filing.CodeInvalidValue, "stage"},
		{"stage in the wrong case", "stage=Information", filing.CodeInvalidValue, "stage"},
		{"unknown province", "province=XX", filing.CodeInvalidValue, "province"},
		{"unknown filing type", "filing_type=renewal", filing.CodeInvalidValue, "filing_type"},
		{"unknown party", "waiting_on=nobody", filing.CodeInvalidValue, "waiting_on"},
		{"malformed step", "step=Awaiting%20Reviewer", filing.CodeInvalidValue, "step"},
		{"overdue not a bool", "overdue=yes", filing.CodeInvalidValue, "overdue"},
		{"closed not a bool", "closed=1", filing.CodeInvalidValue, "closed"},
		{"created_from not RFC 3339", "created_from=2026-09-01", filing.CodeInvalidValue, "created_from"},
		{"created_to not a time", "created_to=yesterday", filing.CodeInvalidValue, "created_to"},
		{"empty range", "created_from=2026-09-02T00:00:00Z&created_to=2026-09-01T00:00:00Z", filing.CodeInvalidValue, "created_to"},
		{"zero-length range", "created_from=2026-09-01T00:00:00Z&created_to=2026-09-01T00:00:00Z", filing.CodeInvalidValue, "created_to"},
		{"unknown sort", "sort=domain", filing.CodeInvalidValue, "sort"},
		{"sort with +", "sort=%2Bcreated_at", filing.CodeInvalidValue, "sort"},
		{"sort twice", "sort=since&sort=-since", filing.CodeInvalidValue, "sort"},
		{"limit zero", "limit=0", filing.CodeInvalidValue, "limit"},
		{"limit negative", "limit=-1", filing.CodeInvalidValue, "limit"},
		{"limit too big", "limit=201", filing.CodeInvalidValue, "limit"},
		{"limit not a number", "limit=ten", filing.CodeInvalidValue, "limit"},
		{"limit fractional", "limit=1.5", filing.CodeInvalidValue, "limit"},
		{"empty limit", "limit=", filing.CodeInvalidValue, "limit"},
		{"empty cursor", "cursor=", filing.CodeInvalidValue, "cursor"},
		{"account_id malformed", "account_id=acc%201", filing.CodeInvalidValue, "account_id"},
		{"unknown parameter", "stage=information&stages=approved", filing.CodeUnknownField, "stages"},
		{"misspelt filter", "provice=ZJ", filing.CodeUnknownField, "provice"},
		{"offset is not a thing", "offset=100", filing.CodeUnknownField, "offset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, e := parseListQuery(query(t, tc.raw), support, listNow)
			require.NotNil(t, e)
			assert.Equal(t, http.StatusBadRequest, e.Status)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.field, e.Field)
			assert.NotEmpty(t, e.Message)
		})
	}
}

func TestListQueryNamesTheFirstUnknownParameterAlphabetically(t *testing.T) {
	for range 20 { // map order varies between runs; the answer must not
		_, e := parseListQuery(query(t, "zeta=1&alpha=2&stage=information"), support, listNow)
		require.NotNil(t, e)
		assert.Equal(t, "alpha", e.Field)
	}
}

func TestListQueryKeepsBackendsToTheirAccount(t *testing.T) {
	q, e := parseListQuery(url.Values{}, backend, listNow)
	require.Nil(t, e)
	assert.Equal(t, "acc-1", q.AccountID, "a backend lists its own account without asking")

	q, e = parseListQuery(query(t, "account_id=acc-1&stage=information"), backend, listNow)
	require.Nil(t, e)
	assert.Equal(t, "acc-1", q.AccountID)

	_, e = parseListQuery(query(t, "account_id=acc-2"), backend, listNow)
	require.NotNil(t, e)
	assert.Equal(t, http.StatusForbidden, e.Status)
	assert.Equal(t, filing.CodeForbidden, e.Code)
	assert.Equal(t, "account_id", e.Field)

	_, e = parseListQuery(url.Values{}, auth.Principal{Role: RoleBackend}, listNow)
	require.NotNil(t, e, "a backend key bound to no account must not list every account")
	assert.Equal(t, http.StatusForbidden, e.Status)

	_, e = parseListQuery(url.Values{}, auth.Principal{}, listNow)
	require.NotNil(t, e, "no principal, no listing")
	assert.Equal(t, http.StatusForbidden, e.Status)

	q, e = parseListQuery(url.Values{}, support, listNow)
	require.Nil(t, e)
	assert.Empty(t, q.AccountID, "support sees every account")
}

func TestQueueQueries(t *testing.T) {
	open := false
	for name, want := range map[filing.Queue]store.ListQuery{
		"initial": {Stages: []string{"initial_review"}, Step: "awaiting_reviewer", Closed: &open},
		"photo":   {Stages: []string{"photo_verification"}, Step: "photo_review", Closed: &open},
	} {
		q, e := parseQueueQuery(name, query(t, "limit=10&cursor=xyz"), listNow)
		require.Nil(t, e, name)
		want.Sort, want.Limit, want.Cursor, want.Now = store.Sort{Field: store.SortSince}, 10, "xyz", listNow
		assert.Equal(t, want, q, "oldest wait first")
	}

	q, e := parseQueueQuery("initial", url.Values{}, listNow)
	require.Nil(t, e)
	assert.Equal(t, store.DefaultListLimit, q.Limit)

	_, e = parseQueueQuery("bureau", url.Values{}, listNow)
	require.NotNil(t, e)
	assert.Equal(t, http.StatusNotFound, e.Status)
	assert.Equal(t, filing.CodeRouteNotFound, e.Code)

	_, e = parseQueueQuery("initial", query(t, "stage=approved"), listNow)
	require.NotNil(t, e, "a queue's filters are fixed")
	assert.Equal(t, filing.CodeUnknownField, e.Code)
	assert.Equal(t, "stage", e.Field)

	_, e = parseQueueQuery("photo", query(t, "limit=500"), listNow)
	require.NotNil(t, e)
	assert.Equal(t, "limit", e.Field)
}

func TestSummaryJudgesOverdueAtTheResponse(t *testing.T) {
	past, future := listNow.Add(-time.Minute), listNow.Add(time.Minute)
	cst := time.FixedZone("CST", 8*3600)
	f := store.Filing{ID: "f-1", Stage: "initial_review", Deadline: &past, CreatedAt: listNow.In(cst)}
	s := f.Row(listNow)
	assert.True(t, s.Overdue)
	assert.Equal(t, time.UTC, s.CreatedAt.Location(), "responses are in UTC")
	f.Closed = true
	assert.False(t, f.Row(listNow).Overdue, "a closed filing is never overdue")
	f.Closed, f.Deadline = false, &future
	assert.False(t, f.Row(listNow).Overdue)
	f.Deadline = nil
	assert.False(t, f.Row(listNow).Overdue, "an open-ended wait is never overdue")
}

// TestListingHandlers runs the handlers against a real (SQLite) read model, without an HTTP server:
// the response shape, the waits of queue items, and a bad cursor as a 400.
func TestListingHandlers(t *testing.T) {
	db := testenv.SQLiteDB(t)
	cst := time.FixedZone("CST", 8*3600)
	// The workflow records UTC (SQLite compares times as text, so the read
	// model must hold one zone); the API's clock may be in any zone.
	now := time.Date(2026, 9, 16, 10, 0, 0, 0, cst)           // a Wednesday
	since := time.Date(2026, 9, 14, 9, 0, 0, 0, cst).UTC()    // the Monday before
	deadline := time.Date(2026, 9, 15, 9, 0, 0, 0, cst).UTC() // one business day later
	later := since.Add(time.Hour)
	s := &server{Deps: Deps{Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)},
		filings: store.NewFilings(db), claims: store.NewReviewClaims(db)}
	for _, f := range []store.Filing{
		{ID: "f-1", AccountID: "acc-1", Stage: "initial_review", Step: "awaiting_reviewer", WaitingOn: "reviewer",
			Since: &since, Deadline: &deadline, DeadlineBusinessDays: 1, CreatedAt: since.UTC()},
		{ID: "f-2", AccountID: "acc-2", Stage: "initial_review", Step: "awaiting_reviewer", WaitingOn: "reviewer",
			Since: &later, CreatedAt: later.UTC()},
		{ID: "f-3", AccountID: "acc-1", Stage: "approved", Closed: true, CreatedAt: since.UTC().Add(-time.Hour)},
	} {
		f.Province, f.FilingType, f.Domain, f.Revision, f.WorkflowID = "ZJ", "new_website_elsewhere", f.ID+".example.com", 1, "filing-"+f.ID
		f.UpdatedAt = f.CreatedAt
		_, err := s.filings.Upsert(context.Background(), f)
		require.NoError(t, err)
	}
	call := func(h echo.HandlerFunc, target string, p auth.Principal, queue string) (map[string]any, error) {
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, target, nil), httptest.NewRecorder())
		auth.SetPrincipal(c, p)
		if queue != "" {
			c.SetParamNames("queue")
			c.SetParamValues(queue)
		}
		if err := h(c); err != nil {
			return nil, err
		}
		rec := c.Response().Writer.(*httptest.ResponseRecorder)
		require.Equal(t, http.StatusOK, rec.Code)
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		return body, nil
	}

	page, err := call(s.reviewQueue, "/v1/review-queues/initial?limit=1", reviewer, "initial")
	require.NoError(t, err)
	items := page["items"].([]any)
	require.Len(t, items, 1)
	first := items[0].(map[string]any)
	assert.Equal(t, "f-1", first["filing_id"], "the longest wait first")
	assert.EqualValues(t, 2, first["waited_business_days"], "Tuesday and Wednesday")
	assert.EqualValues(t, 49, first["waited_hours"])
	assert.Equal(t, true, first["overdue"])
	assert.Equal(t, "2026-09-14T01:00:00Z", first["since"])
	assert.Equal(t, "initial", page["queue"])
	require.NotEmpty(t, page["next_cursor"])

	page, err = call(s.reviewQueue, "/v1/review-queues/initial?limit=1&cursor="+page["next_cursor"].(string), reviewer, "initial")
	require.NoError(t, err)
	items = page["items"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, "f-2", items[0].(map[string]any)["filing_id"])
	assert.Nil(t, items[0].(map[string]any)["deadline"])
	assert.NotContains(t, page, "next_cursor", "absent on the last page")

	page, err = call(s.reviewQueue, "/v1/review-queues/photo", reviewer, "photo")
	require.NoError(t, err)
	assert.Equal(t, []any{}, page["items"], "an empty queue is an empty list, not null")

	page, err = call(s.listFilings, "/v1/filings", backend, "")
	require.NoError(t, err)
	var ids []string
	for _, it := range page["items"].([]any) {
		ids = append(ids, it.(map[string]any)["filing_id"].(string))
	}
	assert.Equal(t, []string{"f-1", "f-3"}, ids, "acc-1's filings, newest first")

	_, err = call(s.listFilings, "/v1/filings?cursor=bm9wZQ", backend, "")
	var apiErr *httpx.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Equal(t, filing.CodeInvalidCursor, apiErr.Code)
	assert.Equal(t, "cursor", apiErr.Field)

	_, err = call(s.listFilings, "/v1/filings?stage=nope", backend, "")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "stage", apiErr.Field)

	// A cursor of one queue does not page the other.
	page, err = call(s.reviewQueue, "/v1/review-queues/initial?limit=1", reviewer, "initial")
	require.NoError(t, err)
	_, err = call(s.reviewQueue, "/v1/review-queues/photo?cursor="+page["next_cursor"].(string), reviewer, "photo")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, filing.CodeInvalidCursor, apiErr.Code)
}
