package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/sample"
)

func violations(t *testing.T, res response) map[string]string {
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
