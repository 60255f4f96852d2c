package activities

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/internal/bureau"
)

// scriptedBureau answers Status with its state.
type scriptedBureau struct {
	bureau.Gateway
	state bureau.State
	err   error
}

func (b *scriptedBureau) Status(_ context.Context, receipt string) (bureau.Status, error) {
	return bureau.Status{ReceiptID: receipt, State: b.state, FilingNumber: "浙ICP备26000001号-1"}, b.err
}

// The review's poll says "not yet" with an error Temporal retries at the
// poll interval: of its own type, for the stuck list, and benign, so the
// SDK neither logs it as an error nor counts it as a failure. A decision
// ends the polls; a gateway that fails fails the attempt as itself.
func TestTheBureauIsAskedUntilItDecides(t *testing.T) {
	b := &scriptedBureau{state: bureau.StateUnderReview}
	a := &Activities{Bureau: b}
	_, err := a.AwaitBureauDecision(context.Background(), "SBX-1")
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	assert.Equal(t, ErrTypeUndecided, appErr.Type())
	assert.False(t, appErr.NonRetryable(), "retried: the retries are the polls")
	assert.Equal(t, temporal.ApplicationErrorCategoryBenign, appErr.Category())

	b.state = bureau.StateApproved
	st, err := a.AwaitBureauDecision(context.Background(), "SBX-1")
	require.NoError(t, err)
	assert.True(t, st.Decided && st.Approved)
	assert.Equal(t, "浙ICP备26000001号-1", st.FilingNumber)

	b.err = errors.New("gateway down")
	_, err = a.AwaitBureauDecision(context.Background(), "SBX-1")
	require.Error(t, err)
	assert.False(t, errors.As(err, &appErr) && appErr.Type() == ErrTypeUndecided, "an outage is not a 'not yet'")
}
