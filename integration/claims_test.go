package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// reviewerKeys issues n reviewer keys, one per member of the review team.
func reviewerKeys(t testing.TB, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(sys.app.DB), "reviewer", "", fmt.Sprintf("reviewer %d", i), time.Now())
		require.NoError(t, err)
		keys[i] = k.Token
	}
	return keys
}

func sendWithKey(t testing.TB, method, path, key, body string) response {
	t.Helper()
	return sendWithKeyAt(t, sys.baseURL, method, path, key, body)
}

// sendWithKeyAt is sendWithKey to the API at base.
func sendWithKeyAt(t testing.TB, base, method, path, key, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out.Body), "%s", raw)
	}
	return out
}

// Reviewers racing for one filing of the queue: exactly one gets it, the
// queue shows who, nobody else may decide it, and the claimant's decision
// ends the claim.
func TestOfReviewersClaimingOneFilingExactlyOneGetsIt(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-claim.com", "云栖科技官网")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	keys := reviewerKeys(t, 12)

	statuses := make([]int, len(keys))
	errs := testenv.Concurrently(len(keys), func(i int) error {
		statuses[i] = sendWithKey(t, http.MethodPost, s.path("/claim"), keys[i], "").Status
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	winner := -1
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			assert.Equal(t, -1, winner, "two reviewers hold the filing: %v", statuses)
			winner = i
		case http.StatusConflict:
		default:
			t.Fatalf("reviewer %d: status %d", i, st)
		}
	}
	require.GreaterOrEqual(t, winner, 0, "nobody got the filing: %v", statuses)
	loser := keys[(winner+1)%len(keys)]

	queue := sendWithKey(t, http.MethodGet, "/v1/review-queues/initial?limit=100", loser, "")
	require.Equal(t, http.StatusOK, queue.Status, "%s", queue.Raw)
	var claimedBy any
	for _, item := range queue.Body["items"].([]any) {
		if item := item.(map[string]any); item["filing_id"] == s.id {
			claimedBy = item["claimed_by"]
			assert.NotEmpty(t, item["claim_expires_at"])
		}
	}
	assert.NotEmpty(t, claimedBy, "the queue shows the filing is taken")

	refused := sendWithKey(t, http.MethodPost, s.path("/initial-review"), loser, `{"approve":true,"reviewer":"staff-2"}`)
	assert.Equal(t, http.StatusConflict, refused.Status, "%s", refused.Raw)
	assert.Equal(t, "claim_held", refused.Body["code"])
	assert.Equal(t, claimedBy, refused.Body["details"].(map[string]any)["claimed_by"])

	decided := sendWithKey(t, http.MethodPost, s.path("/initial-review"), keys[winner], `{"approve":true,"reviewer":"staff-1"}`)
	require.Equal(t, http.StatusOK, decided.Status, "%s", decided.Raw)
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	again := sendWithKey(t, http.MethodPost, s.path("/claim"), loser, "")
	assert.Equal(t, http.StatusConflict, again.Status)
	assert.Equal(t, "stage_conflict", again.Body["code"], "decided: in no queue any more")
	s.ok("/cancel", `{"reason":"user_request"}`)
}

// Reasons come from the catalogue: a made-up code is refused and changes
// nothing; catalogue reasons reach the applicant's state with their words.
func TestARejectionIsMadeOfCatalogueReasons(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-reasons.com", "云栖科技官网")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)

	catalogue := get(t, "/v1/review-reasons")
	require.Equal(t, http.StatusOK, catalogue.Status, "%s", catalogue.Raw)
	assert.NotEmpty(t, catalogue.Body["version"])

	bad := do(t, http.MethodPost, s.path("/initial-review"), "application/json",
		`{"approve":false,"reviewer":"staff-1","reasons":[{"code":"address_not_detailed"},{"code":"i_dont_like_it"}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, "%s", bad.Raw)
	assert.Equal(t, "reasons[1].code", bad.Body["field"])
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)

	s.ok("/initial-review", `{"approve":false,"reviewer":"staff-1","reasons":[{"code":"address_not_detailed"},{"field":"materials.leader_id","code":"material_illegible","message":"身份证反光"}]}`)
	st := s.wait(filing.StageInformation, filing.StepEditing)
	rs := st["last_rejection"].(map[string]any)["reasons"].([]any)
	require.Len(t, rs, 2)
	first, second := rs[0].(map[string]any), rs[1].(map[string]any)
	assert.Equal(t, "subject.mailing_address.detail", first["field"], "the catalogue's field")
	assert.Equal(t, "通讯地址未详细到门牌号。", first["text"].(map[string]any)["zh"])
	assert.NotEmpty(t, first["hint"].(map[string]any)["en"])
	assert.Equal(t, "身份证反光", second["message"], "the reviewer's supplement stays")
	assert.Equal(t, catalogue.Body["version"], second["catalogue_version"])
	s.ok("/cancel", `{"reason":"user_request"}`)
}

// Support decides a filing another reviewer holds (gone for the day, the
// filing stuck in review): the decision is taken and the claim ends.
func TestSupportDecidesOverAReviewersClaim(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-support-decides.com", "云栖客服示例")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	reviewer := reviewerKeys(t, 1)[0]
	require.Equal(t, http.StatusOK, sendWithKey(t, http.MethodPost, s.path("/claim"), reviewer, "").Status)

	support := keyFor(t, sys.baseURL, api.RoleSupport, "")
	res := sendWithKey(t, http.MethodPost, s.path("/initial-review"), support, `{"approve":true,"reviewer":"support-1"}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	s.wait(filing.StagePhotoVerification, filing.StepNone)
	_, err := store.NewReviewClaims(sys.app.DB).Get(context.Background(), filing.ID(s.id), time.Now())
	assert.ErrorIs(t, err, store.ErrNotFound, "the reviewer's claim ended with the decision")
}
