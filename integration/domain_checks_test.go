package integration

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
)

// A domain that expires within the province's minimum validity goes back to
// the applicant at the automated checks, from the registry's RDAP answer
// (the sandbox registry), not weeks later from the bureau.
func TestADomainAboutToExpireIsReturnedByTheAutomatedChecksOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "expiring-yunqi.com", "云栖科技官网")
	s.ok("/submit", `{}`)
	st := s.returnedBy("automated_checks")
	reasons := st["last_rejection"].(map[string]any)["reasons"].([]any)
	var codes []string
	for _, r := range reasons {
		m := r.(map[string]any)
		codes = append(codes, m["code"].(string))
		if m["code"] == "domain.validity_too_short" {
			assert.Equal(t, "websites[0].domain", m["field"])
		}
	}
	assert.Equal(t, []string{"domain.validity_too_short"}, codes)
	s.wait(filing.StageInformation, filing.StepEditing)
	s.ok("/cancel", `{"reason":"user_request"}`)
}

// The dry run asks the registry too, while the user is still typing.
func TestTheDryRunSaysAtOnceThatADomainIsNotRegisteredOrHeld(t *testing.T) {
	app := sample.ValidApplication()
	app.Websites[0].Domain, app.Websites[0].HomepageURL = "unregistered-yunqi.com", "https://www.unregistered-yunqi.com/"
	app.Websites[1].Domain, app.Websites[1].HomepageURL = "onhold-yunqi.com", "https://onhold-yunqi.com/"
	body, err := json.Marshal(app)
	require.NoError(t, err)
	got := violations(t, postJSON(t, "/v1/filings/validate", string(body)))
	assert.Equal(t, "domain.not_registered", got["websites[0].domain"])
	assert.Equal(t, "domain.on_hold", got["websites[1].domain"])
}
