package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
)

// A reviewer reads what they decide: the application as saved, what the
// applicant changed after a rejection, and every material through a
// short-lived URL; support sees who read what.
func TestAReviewerReadsTheApplicationItsChangesAndItsMaterials(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-reads.com", "云栖科技官网")
	reviewer := keyFor(t, s.base, api.RoleReviewer, "")
	support := keyFor(t, s.base, api.RoleSupport, "")

	first := sendWithKey(t, http.MethodGet, s.path("/application"), reviewer, "")
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Raw)
	assert.Equal(t, "云栖科技官网", first.Body["application"].(map[string]any)["websites"].([]any)[0].(map[string]any)["name"])
	assert.Len(t, first.Body["revisions"], 1)
	assert.Empty(t, first.Body["changes"])
	firstRevision := first.Body["revision_id"].(string)

	// Rejected at the initial review; the applicant renames the website
	// and resubmits. The reviewer sees exactly what changed.
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/initial-review", `{"approve":false,"reviewer":"staff-1","reasons":[{"field":"websites[0].name","code":"name_unrelated","message":"the name does not describe the site"}]}`)
	s.wait(filing.StageInformation, filing.StepEditing)
	s.app.Websites[0].Name = "云栖云计算技术文档"
	s.save()
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)

	second := sendWithKey(t, http.MethodGet, s.path("/application"), reviewer, "")
	require.Equal(t, http.StatusOK, second.Status, "%s", second.Raw)
	assert.Equal(t, firstRevision, second.Body["compared_with"])
	assert.Len(t, second.Body["revisions"], 2)
	changes := second.Body["changes"].([]any)
	require.Len(t, changes, 1, "%v", changes)
	assert.Equal(t, map[string]any{"field": "websites[0].name", "before": "云栖科技官网", "after": "云栖云计算技术文档"}, changes[0])
	old := sendWithKey(t, http.MethodGet, s.path("/application?revision="+firstRevision), reviewer, "")
	require.Equal(t, http.StatusOK, old.Status, "%s", old.Raw)
	assert.Equal(t, firstRevision, old.Body["revision_id"])
	assert.Equal(t, http.StatusNotFound, sendWithKey(t, http.MethodGet, s.path("/application?revision=nope"), reviewer, "").Status)

	// Every material downloads through the API's signed URL, decrypted
	// byte for byte what was verified; S3 holds only ciphertext.
	mats := sendWithKey(t, http.MethodGet, s.path("/materials"), reviewer, "")
	require.Equal(t, http.StatusOK, mats.Status, "%s", mats.Raw)
	list := mats.Body["materials"].([]any)
	require.NotEmpty(t, list)
	kinds := map[string]bool{}
	for _, m := range list {
		m := m.(map[string]any)
		kinds[m["kind"].(string)] = true
		url := m["download_url"].(string)
		assert.True(t, strings.HasPrefix(url, s.base+"/v1/documents/"), "the API serves it: %s", url)
		res, err := http.Get(url)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %s", m["kind"], body)
		sum := sha256.Sum256(body)
		assert.Equal(t, m["sha256"], hex.EncodeToString(sum[:]), "%s", m["kind"])
		assert.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))

		// The URL is its own credential: altered, it opens nothing.
		res, err = http.Get(url[:len(url)-2] + "xx")
		require.NoError(t, err)
		body, _ = io.ReadAll(res.Body)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Contains(t, string(body), filing.CodeDownloadURLInvalid)
	}
	assert.True(t, kinds["verification_form"] && kinds["subject_certificate"] && kinds["leader_id"], "%v", kinds)

	// Another account's backend key sees no such filing; a backend key of
	// the filing's account reads its own.
	other := keyFor(t, s.base, api.RoleBackend, "acc-someone-else")
	assert.Equal(t, http.StatusNotFound, sendWithKey(t, http.MethodGet, s.path("/materials"), other, "").Status)
	assert.Equal(t, http.StatusNotFound, sendWithKey(t, http.MethodGet, s.path("/application"), other, "").Status)
	assert.Equal(t, http.StatusForbidden, sendWithKey(t, http.MethodGet, s.path("/access-log"), reviewer, "").Status, "the log is support's")

	log := sendWithKey(t, http.MethodGet, s.path("/access-log"), support, "")
	require.Equal(t, http.StatusOK, log.Status, "%s", log.Raw)
	var whats []string
	for _, r := range log.Body["reads"].([]any) {
		r := r.(map[string]any)
		if strings.HasPrefix(r["actor"].(string), "reviewer:") {
			whats = append(whats, strings.Fields(r["what"].(string))[0])
		}
	}
	assert.Contains(t, whats, "application")
	assert.Contains(t, whats, "material")
	assert.GreaterOrEqual(t, len(whats), 3+len(list), "three application reads and every URL issued: %v", whats)
}
