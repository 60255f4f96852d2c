package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/rules"
)

func violations(t testing.TB, res response) map[string]string {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	out := map[string]string{}
	list, ok := res.Body["violations"].([]any)
	require.True(t, ok, "violations is always a list: %s", res.Raw)
	for _, v := range list {
		m := v.(map[string]any)
		msg := m["message"].(map[string]any)
		assert.NotEmpty(t, msg["zh"], "every violation explains itself in Chinese")
		assert.NotEmpty(t, msg["en"], "and in English")
		out[m["field"].(string)] = m["code"].(string)
	}
	return out
}

func TestDryRunAcceptsACompleteCorrectApplication(t *testing.T) {
	body, err := json.Marshal(sample.ValidApplication())
	require.NoError(t, err)
	res := postJSON(t, "/v1/filings/validate", string(body))
	assert.Empty(t, violations(t, res))
	assert.Equal(t, true, res.Body["valid"])
	assert.NotEmpty(t, res.Body["rule_set_version"])
}

func TestDryRunReturnsEveryViolationOfAPartialApplicationAtOnce(t *testing.T) {
	before := countFilings(t)
	app := sample.ValidApplication()
	app.Subject.Leader.IDNumber = sample.WithWrongCheck(app.Subject.Leader.IDNumber)
	app.Subject.Leader.Mobile = "12345"
	app.Websites[0].Domain = "example.io"
	app.Websites[1].Name = "abc"
	app.Subject.MailingAddress.Province = "JS"
	body, err := json.Marshal(app)
	require.NoError(t, err)

	got := violations(t, postJSON(t, "/v1/filings/validate", string(body)))
	assert.Equal(t, "id.check_digit", got["subject.leader.id_number"])
	assert.Equal(t, "mobile.format", got["subject.leader.mobile"])
	assert.Equal(t, "domain.tld_not_approved", got["websites[0].domain"])
	assert.Contains(t, []string{"website_name.too_short", "website_name.only_latin_or_digits"}, got["websites[1].name"])
	assert.Equal(t, "address.province_mismatch", got["subject.mailing_address.province"])

	// While the user is still typing: only what is missing so far.
	got = violations(t, postJSON(t, "/v1/filings/validate", `{"subject":{"province":"ZJ","nature":"enterprise"}}`))
	assert.Equal(t, "field.required", got["subject.certificate_type"])
	assert.Equal(t, "field.required", got["subject.certificate_number"])
	assert.NotContains(t, got, "subject.province")

	assert.Equal(t, before, countFilings(t), "a dry run starts and stores nothing")
}

func TestDryRunRefusesOnlyBodiesThatAreNotAnApplication(t *testing.T) {
	for body, code := range map[string]string{
		`{"subject":`:                   "invalid_json",
		`{"subject":{"province":31}}`:   "invalid_type",
		`{"subjekt":{"province":"ZJ"}}`: "unknown_field",
	} {
		res := postJSON(t, "/v1/filings/validate", body)
		assert.Equal(t, http.StatusBadRequest, res.Status, body)
		assert.Equal(t, code, res.Body["code"], body)
	}
}

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
