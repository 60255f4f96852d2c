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
			assert.Contains(t, m["text"].(map[string]any)["zh"], "到期", "the applicant reads it in Chinese too")
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

// The dry run tells a personal applicant at once what a reviewer and the
// bureau would refuse weeks later, and which documents the province wants,
// through the public API and the sandbox registry over RDAP.
func TestTheDryRunTellsAPersonalApplicantWhatTheBureauWouldRefuse(t *testing.T) {
	app := sample.ValidApplication()
	hangzhou := app.Subject.Leader.IDNumber // a Zhejiang resident ID
	s := &app.Subject
	s.Province, s.Nature, s.CertificateType, s.CertificateNumber, s.Name = "HB", filing.NaturePersonal, filing.CertResidentID, hangzhou, s.Leader.Name
	s.CertificateAddress = filing.Address{Province: "HB", City: "武汉市", District: "洪山区", Detail: "珞喻路1037号"}
	s.MailingAddress = s.CertificateAddress
	s.Leader.IsLegalRepresentative = false
	w := app.Websites[0]
	w.Name = s.Leader.Name + "的新闻网"
	w.Domain, w.HomepageURL = "foreign-zhangwei.com", "https://www.foreign-zhangwei.com/"
	w.ContentTypes, w.PreApprovals = []filing.ContentType{filing.ContentOnlineShopping}, nil
	w.ResponsibleSameAsLeader = true
	app.Websites = []filing.Website{w}
	body, err := json.Marshal(app)
	require.NoError(t, err)
	res := postJSON(t, "/v1/filings/validate", string(body))
	got := violations(t, res)
	assert.Equal(t, "domain.registrar_not_approved", got["websites[0].domain"])
	assert.Equal(t, "content.not_for_personal", got["websites[0].content_types[0]"])
	assert.Contains(t, []string{"website_name.person_name", "content.pre_approval_not_for_personal"}, got["websites[0].name"])
	assert.NotContains(t, string(res.Raw), s.Leader.Name, "no name echoed in the messages")

	var kinds []string
	for _, m := range res.Body["materials"].([]any) {
		kinds = append(kinds, m.(map[string]any)["kind"].(string))
	}
	assert.Equal(t, []string{"verification_form", "residence_permit", "leader_id"}, kinds,
		"Hubei takes an ID from another province with its residence permit")
}

// The registry redacts the holder; the provider's registrar API (the
// sandbox serves Alibaba Cloud's Domain API, signed requests only) says
// who holds the domain, and the dry run compares it with the subject.
func TestTheHolderComesFromTheRegistrarsAPIWhereTheRegistryRedactsIt(t *testing.T) {
	app := sample.ValidApplication()
	app.Websites[0].Domain, app.Websites[0].HomepageURL = "otherholder-yunqi.com", "https://www.otherholder-yunqi.com/"
	app.Websites[1].Domain, app.Websites[1].HomepageURL = "unverified-yunqi.com", "https://unverified-yunqi.com/"
	body, err := json.Marshal(app)
	require.NoError(t, err)
	got := violations(t, postJSON(t, "/v1/filings/validate", string(body)))
	assert.Equal(t, "domain.registrant_mismatch", got["websites[0].domain"])
	assert.Equal(t, "domain.realname_pending", got["websites[1].domain"])
}
