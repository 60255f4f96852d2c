package records_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/records"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/rules"
)

func TestSandboxMakesTheMainPathTheDefault(t *testing.T) {
	app := sample.ValidApplication()
	out, err := rules.DetermineType(context.Background(), records.NewSandbox(), app)
	require.NoError(t, err)
	assert.Equal(t, filing.TypeNewWebsiteElsewhere, out.Type)
	assert.True(t, out.Handled())
}

func TestSandboxDomainFiledUnderAnotherSubjectIsAConflict(t *testing.T) {
	app := sample.ValidApplication()
	app.Websites = app.Websites[:1]
	app.Websites[0].Domain = "taken-example.com"
	out, err := rules.DetermineType(context.Background(), records.NewSandbox(), app)
	require.NoError(t, err)
	assert.True(t, out.Blocked())
	assert.Equal(t, rules.CodeTypeDomainConflict, out.Code)
}

func TestSandboxRegisteredSubjectNotOnRecordIsAFirstFiling(t *testing.T) {
	app := sample.ValidApplication()
	s := records.NewSandbox()
	s.AddSubject(app.Subject.Province, app.Subject.CertificateType, app.Subject.CertificateNumber, rules.SubjectRecord{})
	out, err := rules.DetermineType(context.Background(), s, app)
	require.NoError(t, err)
	assert.Equal(t, filing.TypeFirstFiling, out.Type)
	assert.False(t, out.Handled(), "beianflow handles only 新增网站 with the original filing elsewhere")
}

// The record system is nationwide: a company whose credit code was issued
// in Guangdong is on record there, and a new website for it in Zhejiang
// goes to Guangdong's bureau instead.
func TestSandboxFindsASubjectOnRecordInAnotherProvince(t *testing.T) {
	app := sample.ValidApplication()
	app.Subject.CertificateNumber = sample.CreditCode("91", "440106", sample.OrgCode("MA5GD001"))
	rec, err := records.NewSandbox().LookupSubject(context.Background(), app.Subject.CertificateType, app.Subject.CertificateNumber)
	require.NoError(t, err)
	assert.Equal(t, "GD", rec.Province)
	assert.Regexp(t, `^粤ICP备\d{8}号$`, rec.FilingNumber)

	out, err := rules.DetermineType(context.Background(), records.NewSandbox(), app)
	require.NoError(t, err)
	require.NotEqual(t, "GD", app.Subject.Province)
	assert.Equal(t, rules.CodeTypeProvinceMismatch, out.Code)
	assert.Equal(t, "subject.province", out.Field)

	s := records.NewSandbox()
	s.AddSubject("BJ", app.Subject.CertificateType, app.Subject.CertificateNumber, rules.SubjectRecord{Found: true, FilingNumber: "京ICP备00000002号"})
	rec, err = s.LookupSubject(context.Background(), app.Subject.CertificateType, " "+app.Subject.CertificateNumber)
	require.NoError(t, err)
	assert.Equal(t, "BJ", rec.Province, "registered where the test says")
}
