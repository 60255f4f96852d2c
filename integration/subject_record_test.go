package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/records"
	"github.com/beianflow/beianflow/rules"
)

func recordSandbox(t testing.TB) *records.Sandbox {
	t.Helper()
	sb, ok := sys.app.World.Records.(*records.Sandbox)
	require.True(t, ok, "the test system looks records up in the sandbox")
	return sb
}

// A subject whose record has no website left (空壳主体) is told to cancel
// the record first, before a filing starts.
func TestAShellSubjectIsRefusedAtCreation(t *testing.T) {
	t.Parallel()
	company := newCompany("ZJ")
	recordSandbox(t).AddSubject("ZJ", filing.CertBusinessLicense, company,
		rules.SubjectRecord{Found: true, FilingNumber: "浙ICP备20260001号", Shell: true})
	res := postJSON(t, "/v1/filings", createBody("acc-shell", "ZJ", "yunqi-shell.com", company))
	assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(t, "filing_type.shell_subject", res.Body["code"])
	assert.Equal(t, "subject.certificate_number", res.Body["field"])
}

// A new website carries the subject exactly as filed: an application whose
// subject name differs from the record is refused at save, changing
// nothing, until the record is changed at the original provider.
func TestASubjectNamedOtherwiseThanItsRecordIsRefusedAtSave(t *testing.T) {
	t.Parallel()
	company := newCompany("ZJ")
	sb := recordSandbox(t)
	renamed := rules.SubjectRecord{Found: true, FilingNumber: "浙ICP备20260002号", Name: "杭州云栖旧名网络科技有限公司"}
	sb.AddSubject("ZJ", filing.CertBusinessLicense, company, renamed)
	account := "acc-rec" + company[10:16]
	created := postJSON(t, "/v1/filings", createBody(account, "ZJ", "yunqi-renamed.com", company))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Raw)
	s := &scenario{t: t, id: created.Body["filing_id"].(string), app: applicationFor("ZJ", company, "yunqi-renamed.com", "云栖科技官网"), base: sys.baseURL}
	s.wait(filing.StageInformation, filing.StepEditing)

	body, err := json.Marshal(s.app)
	require.NoError(t, err)
	res := doAt(t, s.base, http.MethodPut, s.path("/application"), "application/json", string(body))
	assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(t, "filing_type.subject_mismatch", res.Body["code"])
	assert.Equal(t, "subject.name", res.Body["field"])
	assert.NotContains(t, string(res.Raw), renamed.Name, "the record's name is not echoed")
	st := get(t, s.path(""))
	assert.Nil(t, st.Body["application"], "nothing was saved")

	// Once the record carries the current name, the same save passes.
	renamed.Name = s.app.Subject.Name
	sb.AddSubject("ZJ", filing.CertBusinessLicense, company, renamed)
	mustOK(t, doAt(t, s.base, http.MethodPut, s.path("/application"), "application/json", string(body)))
	s.ok("/cancel", `{"reason":"user_request"}`)
}
