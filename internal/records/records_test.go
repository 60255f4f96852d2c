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
