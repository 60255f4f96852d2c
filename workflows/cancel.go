package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ErrTypeStageMismatch is the ApplicationError type of an update refused
// because it does not fit the filing's current stage; the API maps it to 409.
// Error types cross the wire as strings, unlike Go sentinel errors.
const ErrTypeStageMismatch = "StageMismatch"

func stageMismatch(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeStageMismatch, nil)
}

// registerCancel accepts the applicant's cancellation. The validator refuses
// it once the filing has ended, so the caller gets an error instead of a
// silently ignored request; a repeated cancel while the first is being
// processed is accepted and harmless.
func (f *filing) registerCancel(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancel,
		func(ctx workflow.Context, req CancelRequest) (FilingState, error) {
			if f.cancel == nil {
				f.cancel = &req
			}
			// Reply once the cancellation is recorded, so the caller sees
			// the final stage.
			if err := workflow.Await(ctx, func() bool { return f.state.Stage.Terminal() }); err != nil {
				return FilingState{}, err
			}
			return f.state, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req CancelRequest) error {
			if f.state.Stage.Terminal() {
				return stageMismatch("the filing has ended (stage %s)", f.state.Stage)
			}
			return nil
		}},
	)
	if err != nil {
		return fmt.Errorf("register cancel update: %w", err)
	}
	return nil
}
