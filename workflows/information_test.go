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
		ft.env.UpdateWorkflow(filing.AttachMaterials.Name, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { t.Errorf("refused by the validator: %v", err) },
			OnComplete: func(_ any, err error) { got = err },
		}, attach(filing.AttachMaterialRequest{Kind: filing.MaterialVerificationForm, ObjectKey: "filings/x/others-form", Size: 1024, SHA256: sha}))
	})
	ft.at(monday.Add(11*time.Minute), func() {
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(got, &appErr), "%v", got)
		assert.Equal(t, filing.ErrTypeMaterialRejected, appErr.Type())
		assert.Empty(t, ft.state().Materials, "nothing attached")
		ft.refusedAs(filing.Submit.Name, filing.SubmitRequest{}, filing.ErrTypeInvalidAction)
		ft.act(filing.AttachMaterials.Name, form)
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

// A backend attaches a filing's materials in one action: all of them, or,
// when one upload is bad, none, with the refusal naming the bad one.
func TestMaterialsAttachedAtOnceAreAllAttachedOrNone(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.badUploads["filings/x/blurred-id"] = "resolution_too_low"
	license := filing.AttachMaterialRequest{Kind: filing.MaterialSubjectCertificate, ObjectKey: "filings/x/license", Size: 2048, SHA256: sha}
	leaderID := filing.AttachMaterialRequest{Kind: filing.MaterialLeaderID, ObjectKey: "filings/x/blurred-id", Size: 4096, SHA256: sha}
	var got error
	ft.at(monday.Add(10*time.Minute), func() {
		ft.act(filing.SaveApplication.Name, saveApp)
		ft.refusedAs(filing.AttachMaterials.Name, attach(), filing.ErrTypeInvalidAction)
		ft.refusedAs(filing.AttachMaterials.Name, attach(license, license), filing.ErrTypeInvalidAction)
		ft.env.UpdateWorkflow(filing.AttachMaterials.Name, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { t.Errorf("refused by the validator: %v", err) },
			OnComplete: func(_ any, err error) { got = err },
		}, attach(form.Materials[0], license, leaderID))
	})
	ft.at(monday.Add(11*time.Minute), func() {
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(got, &appErr), "%v", got)
		assert.Equal(t, filing.ErrTypeMaterialRejected, appErr.Type())
		var reason filing.Reason
		require.NoError(t, appErr.Details(&reason))
		assert.Equal(t, filing.Reason{Field: "materials[2].object_key", Code: "resolution_too_low", Message: reason.Message}, reason)
		assert.Empty(t, ft.state().Materials, "none attached, the good ones neither")
		leaderID.ObjectKey = "filings/x/sharp-id"
		ft.act(filing.AttachMaterials.Name, attach(form.Materials[0], license, leaderID))
	})
	ft.at(monday.Add(12*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, []filing.MaterialKind{filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID},
			materialKindsOf(st.Materials), "all three, in one action")
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
}

func materialKindsOf(ms []filing.MaterialRef) []filing.MaterialKind {
	out := make([]filing.MaterialKind, len(ms))
	for i, m := range ms {
		out[i] = m.Kind
	}
	return out
}
