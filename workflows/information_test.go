package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/beianflow/beianflow/filing"
)

// The 核验单 ties the signed scan to its filing: a scan the verification
// refuses (another filing's serial) is not attached, so the filing cannot
// be submitted until this filing's signed form is.
func TestAVerificationFormOfAnotherFilingIsRefusedAndTheFilingCannotBeSubmittedWithoutItsOwn(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.badUploads["filings/x/others-form"] = "form_of_another_filing"
	var got error
	ft.at(monday.Add(10*time.Minute), func() {
		ft.act(filing.SaveApplication.Name, saveApp)
		ft.env.UpdateWorkflow(filing.AttachMaterial.Name, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { t.Errorf("refused by the validator: %v", err) },
			OnComplete: func(_ any, err error) { got = err },
		}, filing.AttachMaterialRequest{Kind: filing.MaterialVerificationForm, ObjectKey: "filings/x/others-form", Size: 1024, SHA256: sha})
	})
	ft.at(monday.Add(11*time.Minute), func() {
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(got, &appErr), "%v", got)
		assert.Equal(t, filing.ErrTypeMaterialRejected, appErr.Type())
		assert.Empty(t, ft.state().Materials, "nothing attached")
		ft.refusedAs(filing.Submit.Name, filing.SubmitRequest{}, filing.ErrTypeInvalidAction)
		ft.act(filing.AttachMaterial.Name, form)
	})
	ft.at(monday.Add(12*time.Minute), func() { ft.act(filing.Submit.Name, filing.SubmitRequest{}) })
	ft.at(monday.Add(13*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageInitialReview, st.Stage)
		require.Len(t, st.Materials, 1)
		assert.Equal(t, "filings/x/form", st.Materials[0].ObjectKey)
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
}
