package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// The type is decided again on every save, for the subject and every
// domain: an edit that would make the bureau answer 域名冲突 or 主体冲突 is
// refused with the code a creation gets, and the filing keeps the
// application it had. The subject is fixed when the filing starts.
func TestAnEditThatWouldChangeTheFilingTypeIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-redo.com", "云栖科技官网")
	before := s.wait(filing.StageInformation, filing.StepEditing)
	saved := before["application"].(map[string]any)["revision_id"]

	put := func(app filing.Application) response {
		body, err := json.Marshal(app)
		require.NoError(t, err)
		return doAt(t, s.base, http.MethodPut, s.path("/application"), "application/json", string(body))
	}

	// A second website whose domain another subject has on record.
	conflict := s.app
	conflict.Websites = append(conflict.Websites, conflict.Websites[0])
	conflict.Websites[1].Domain = "taken-yunqi-redo.com"
	conflict.Websites[1].HomepageURL = "https://www.taken-yunqi-redo.com/"
	conflict.Websites[1].Name = "云栖科技博客"
	res := put(conflict)
	assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(t, string(rules.CodeTypeDomainConflict), res.Body["code"])
	assert.Equal(t, "websites[1].domain", res.Body["field"])
	assert.Contains(t, res.Body["details"].(map[string]any)["zh"], "域名冲突", "in Chinese too")

	// Another company's certificate: the filing's subject is fixed.
	other := s.app
	other.Subject.CertificateNumber = newCompany("ZJ")
	res = put(other)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, filing.CodeInvalidAction, res.Body["code"])
	assert.Equal(t, "subject.certificate_number", res.Body["field"])

	after := s.wait(filing.StageInformation, filing.StepEditing)
	assert.Equal(t, saved, after["application"].(map[string]any)["revision_id"], "the refused saves changed nothing")
	assert.Equal(t, before["revision"], after["revision"])

	// A second website on a new domain is still the same type: accepted.
	more := conflict
	more.Websites[1].Domain = "yunqi-redo-blog.com"
	more.Websites[1].HomepageURL = "https://www.yunqi-redo-blog.com/"
	mustOK(t, put(more))
}
