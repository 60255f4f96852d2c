package integration

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
)

// A data subject asks for their data to be erased: support erases the
// ended filing; its application, materials and documents are gone (410),
// its state and timeline remain and say who erased it and why.
func TestSupportErasesAnEndedFilingsPersonalData(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-erase.com", "云栖删除示例")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	support := keyFor(t, sys.baseURL, api.RoleSupport, "")

	res := sendWithKey(t, http.MethodPost, "/v1/support/filings/"+s.id+"/erase", support, `{"reason":"subject_request"}`)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(t, filing.CodeFilingNotEnded, res.Body["code"])
	require.Equal(t, http.StatusOK, sendWithKey(t, http.MethodGet, s.path("/application"), support, "").Status, "nothing was erased")

	s.ok("/cancel", `{"reason":"user_request"}`)
	s.wait(filing.StageCancelled, filing.StepNone)
	res = sendWithKey(t, http.MethodPost, "/v1/support/filings/"+s.id+"/erase", support, `{"reason":"free text with a name"}`)
	assert.Equal(t, http.StatusBadRequest, res.Status, "reasons are codes: %s", res.Raw)

	res = sendWithKey(t, http.MethodPost, "/v1/support/filings/"+s.id+"/erase", support, `{"reason":"subject_request"}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.GreaterOrEqual(t, res.Body["documents_deleted"], float64(3), "the verification form, the certificate and the ID scan")
	assert.Equal(t, false, res.Body["already_erased"])

	for _, p := range []string{"/application", "/materials"} {
		got := sendWithKey(t, http.MethodGet, s.path(p), support, "")
		assert.Equal(t, http.StatusGone, got.Status, "%s: %s", p, got.Raw)
		assert.Equal(t, filing.CodePersonalDataErased, got.Body["code"], p)
	}
	st := get(t, s.path(""))
	assert.Equal(t, "cancelled", st.Body["stage"], "the facts remain")
	found := false
	for _, e := range get(t, s.path("/timeline")).Body["events"].([]any) {
		e := e.(map[string]any)
		found = found || (e["action"] == "personal_data_erased" && e["detail"] == "subject_request")
	}
	assert.True(t, found, "the timeline records the erasure")

	again := sendWithKey(t, http.MethodPost, "/v1/support/filings/"+s.id+"/erase", support, `{"reason":"subject_request"}`)
	require.Equal(t, http.StatusOK, again.Status)
	assert.Equal(t, true, again.Body["already_erased"])
	assert.Equal(t, res.Body["erased_at"], again.Body["erased_at"])
}
