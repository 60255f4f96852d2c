package integration

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
)

// feedOf reads every event of the feed at path (with the key), page by
// page, until one of type until arrives.
func feedOf(t testing.TB, path, key string, until filing.EventType) ([]filing.Event, string) {
	t.Helper()
	var all []filing.Event
	cursor := ""
	require.Eventually(t, func() bool {
		for {
			q := url.Values{"limit": {"3"}}
			if cursor != "" {
				q.Set("after", cursor)
			}
			res := sendWithKey(t, http.MethodGet, path+"?"+q.Encode(), key, "")
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
			var page filing.EventPage
			require.NoError(t, json.Unmarshal(res.Raw, &page))
			require.NotEmpty(t, page.NextCursor, "every page has a cursor")
			all = append(all, page.Events...)
			cursor = page.NextCursor
			if len(page.Events) == 0 {
				break
			}
		}
		for _, e := range all {
			if e.Type == until {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond)
	return all, cursor
}

// A backend that does not take webhooks follows its filings through the
// event feed: every change in order, numbered without gaps, with the
// rejection's codes and the filing number, and nothing of another account.
func TestABackendFollowsItsFilingThroughTheEventFeed(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-feed.com", "云栖事件示例")
	account := get(t, s.path("")).Body["account_id"].(string)
	backend := keyFor(t, sys.baseURL, api.RoleBackend, account)
	startedAt := time.Now().UTC()

	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/initial-review", `{"approve":false,"reviewer":"staff-1","reasons":[{"field":"websites[0].name","code":"name_mismatch","message":"请按营业执照填写"}]}`)
	s.returnedBy("reviewer")
	s.save()
	s.throughInitialReview()
	s.throughPhotoApproval()
	s.wait(filing.StageApproved, filing.StepNone)

	events, cursor := feedOf(t, s.path("/events"), backend, filing.EventApproved)
	types := map[filing.EventType]int{}
	for i, e := range events {
		assert.EqualValues(t, i+1, e.Sequence, "numbered without gaps: %+v", e)
		assert.Equal(t, filing.ID(s.id), e.FilingID)
		assert.Equal(t, account, e.AccountID)
		types[e.Type]++
	}
	assert.Equal(t, filing.EventCreated, events[0].Type)
	assert.Equal(t, 1, types[filing.EventCreated])
	assert.Equal(t, 2, types[filing.EventReviewApproved], "the initial and the photo review")
	assert.Equal(t, 1, types[filing.EventBureauSubmitted])
	assert.Positive(t, types[filing.EventStageChanged])
	last := events[len(events)-1]
	assert.Equal(t, filing.EventApproved, last.Type, "approval is the last event")
	var approved filing.Approved
	require.NoError(t, json.Unmarshal(last.Data, &approved))
	assert.Regexp(t, `^浙ICP备\d{8}号-\d+$`, approved.FilingNumber)

	var rejected filing.Rejected
	var waitsOnApplicant int
	for _, e := range events {
		switch e.Type {
		case filing.EventRejected:
			require.NoError(t, json.Unmarshal(e.Data, &rejected))
		case filing.EventWaiting:
			var w filing.Waiting
			require.NoError(t, json.Unmarshal(e.Data, &w))
			if w.WaitingOn == filing.PartyApplicant {
				waitsOnApplicant++
			}
		}
	}
	assert.Equal(t, filing.Rejected{By: "reviewer", Reasons: []filing.ReasonRef{{Field: "websites[0].name", Code: "name_mismatch"}}}, rejected,
		"codes only: the reviewer's text stays out")
	assert.GreaterOrEqual(t, waitsOnApplicant, 3, "editing twice, the mailing address and the photo at least")

	// The account's feed holds the same events; another account sees none.
	mine, _ := feedOf(t, "/v1/events", backend, filing.EventApproved)
	ids := map[string]bool{}
	for _, e := range mine {
		assert.Equal(t, account, e.AccountID)
		ids[e.ID] = true
	}
	for _, e := range events {
		assert.True(t, ids[e.ID], "%s in the account's feed", e.ID)
	}
	other := keyFor(t, sys.baseURL, api.RoleBackend, "acc-feed-someone-else")
	res := sendWithKey(t, http.MethodGet, "/v1/events", other, "")
	require.Equal(t, http.StatusOK, res.Status)
	for _, e := range res.Body["events"].([]any) {
		assert.NotEqual(t, s.id, e.(map[string]any)["filing_id"])
	}
	assert.Equal(t, http.StatusNotFound, sendWithKey(t, http.MethodGet, s.path("/events"), other, "").Status)

	// A cursor at the end gives nothing new; a made-up one is refused.
	res = sendWithKey(t, http.MethodGet, s.path("/events?after="+cursor), backend, "")
	require.Equal(t, http.StatusOK, res.Status)
	assert.Empty(t, res.Body["events"])
	res = sendWithKey(t, http.MethodGet, s.path("/events?after=bm9wZQ"), backend, "")
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, filing.CodeInvalidCursor, res.Body["code"])

	// Polling the listing by updated_since finds the filing.
	list := sendWithKey(t, http.MethodGet, "/v1/filings?updated_since="+url.QueryEscape(startedAt.Format(time.RFC3339)), backend, "")
	require.Equal(t, http.StatusOK, list.Status, "%s", list.Raw)
	found := false
	for _, it := range list.Body["items"].([]any) {
		found = found || it.(map[string]any)["filing_id"] == s.id
	}
	assert.True(t, found, "the filing changed since the test began")
	later := sendWithKey(t, http.MethodGet, "/v1/filings?updated_since="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), backend, "")
	require.Equal(t, http.StatusOK, later.Status)
	assert.Empty(t, later.Body["items"])
}
