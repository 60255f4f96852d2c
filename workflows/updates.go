package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// registerUpdates registers every action on the filing: one named handler
// and one named validator per update, each in the file of the stage that
// takes the action.
func (f *flow) registerUpdates(ctx workflow.Context) error {
	// Most actions only go into the inbox the flow waits on; the named
	// handlers do more (verify an upload, record a reference, end the
	// filing, or take an outside event only while it matters).
	return firstError(
		register(ctx, f, filing.VerifyProduct, into(&f.inbox.product), f.validateVerifyProduct),
		register(ctx, f, filing.SaveApplication, f.onSaveApplication, f.validateSaveApplication),
		register(ctx, f, filing.AttachMaterials, f.onAttachMaterials, f.validateAttachMaterials),
		register(ctx, f, filing.Submit, into(&f.inbox.submit), f.validateSubmit),
		register(ctx, f, filing.InitialReviewDecision, into(&f.inbox.decision), f.validateInitialReviewDecision),
		register(ctx, f, filing.ChoosePhotoPath, into(&f.inbox.photoPath), f.validateChoosePhotoPath),
		register(ctx, f, filing.SetMailingAddress, into(&f.inbox.mailing), f.validateMailingAddress),
		register(ctx, f, filing.ShipmentDelivered, f.onShipmentDelivered, f.validateShipmentDelivered),
		register(ctx, f, filing.UploadPhoto, f.onUploadPhoto, f.validateUploadPhoto),
		register(ctx, f, filing.PhotoReviewDecision, into(&f.inbox.decision), f.validatePhotoReviewDecision),
		register(ctx, f, filing.VerificationResult, into(&f.inbox.verification), f.validateVerificationResult),
		register(ctx, f, filing.SMSVerification, f.onSMSVerification, f.validateSMSVerification),
		register(ctx, f, filing.BureauDecision, f.onBureauDecision, f.validateBureauDecision),
		register(ctx, f, filing.Cancel, f.onCancel, f.validateCancel),
	)
}

// into is the handler of an action the flow only waits for: it goes into
// box, which the flow takes from.
func into[T any](box *inbox[T]) func(workflow.Context, T) error {
	return func(_ workflow.Context, r T) error {
		box.put(r)
		return nil
	}
}

// register sets u's handler and validator. Around the handler, every
// accepted action is written to the audit trail (the request describes
// itself), restarts the order clock and is acknowledged with where the
// filing stands; one accepted while the filing is ending is answered once
// it has ended, so the caller sees the final stage.
func register[Req filing.Request](ctx workflow.Context, f *flow, u filing.Update[Req],
	handle func(workflow.Context, Req) error, validate func(workflow.Context, Req) error,
) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, u.Name, func(ctx workflow.Context, req Req) (filing.Ack, error) {
		from := f.state.Stage
		if err := handle(ctx, req); err != nil {
			logRefused(ctx, u.Name, f.state.Stage, err)
			return filing.Ack{}, err
		}
		workflow.GetLogger(ctx).Info("action accepted", "action", u.Name, "stage", f.state.Stage)
		a := req.Audit(f.applicant())
		f.audit(ctx, a.Actor, u.Name, a.Detail, a.Reasons, from, f.state.Stage)
		f.touch(ctx)
		if err := workflow.Await(ctx, func() bool { return f.ended == nil || f.state.Stage.Terminal() }); err != nil {
			return filing.Ack{}, err
		}
		return f.ack(), nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req Req) error {
		err := validate(ctx, req)
		if err != nil {
			logRefused(ctx, u.Name, f.state.Stage, err)
		}
		return err
	}})
	if err != nil {
		return fmt.Errorf("register update %s: %w", u.Name, err)
	}
	return nil
}

// logRefused logs an action the filing refused, by the refusal's type
// (stage_mismatch, invalid_action, material_rejected) and reason code, not
// its message, which may quote what the caller sent.
func logRefused(ctx workflow.Context, action string, stage filing.Stage, err error) {
	kind, code := "error", ""
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		kind = appErr.Type()
		var r filing.Reason
		if appErr.HasDetails() && appErr.Details(&r) == nil {
			code = r.Code
		}
	}
	workflow.GetLogger(ctx).Info("action refused", "action", action, "stage", stage, "error_type", kind, "code", code)
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// applicant is the audit trail's actor for the applicant's own actions.
func (f *flow) applicant() string { return "account:" + f.in.AccountID }

func (f *flow) ack() filing.Ack {
	return filing.Ack{Stage: f.state.Stage, Step: f.state.Step, Revision: f.state.Revision}
}

func stageMismatch(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), filing.ErrTypeStageMismatch, nil)
}

func invalidAction(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), filing.ErrTypeInvalidAction, nil)
}

// expect refuses an action unless the filing is in stage and, when steps
// are given, in one of those steps.
func (f *flow) expect(action string, stage filing.Stage, steps ...filing.Step) error {
	if f.ended != nil || f.state.Stage.Terminal() {
		return stageMismatch("%s refused: the filing has ended", action)
	}
	if f.state.Stage == stage && (len(steps) == 0 || slices.Contains(steps, f.state.Step)) {
		return nil
	}
	want := string(stage)
	if len(steps) > 0 {
		names := make([]string, len(steps))
		for i, s := range steps {
			names[i] = string(s)
		}
		want += " (" + strings.Join(names, " or ") + ")"
	}
	return stageMismatch("%s refused: the filing is in %s (%s), it is accepted in %s", action, f.state.Stage, f.state.Step, want)
}

// upload is an uploaded document an action references, as declared; field
// names it in a refusal ("object_key" when empty).
type upload struct {
	kind  filing.MaterialKind
	key   string
	size  int64
	sha   string
	field string
}

// verifyUploads checks uploads with local activities, all at once, before
// the action that references them is accepted: a bad one fails the update
// with its reason (the first bad one's, when several are), is audited as
// refused, and the filing does not advance on it.
func (f *flow) verifyUploads(ctx workflow.Context, action string, uploads ...upload) error {
	// Local steps: the update that waits for them completes in the same
	// workflow task.
	reqs := make([]activities.VerifyMaterialRequest, len(uploads))
	kinds := make([]string, len(uploads))
	for i, u := range uploads {
		reqs[i] = activities.VerifyMaterialRequest{FilingID: f.in.FilingID, ObjectKey: u.key, Kind: u.kind, Size: u.size, SHA256: u.sha}
		kinds[i] = string(u.kind)
	}
	var verdicts []activities.MaterialVerdict
	if err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "verify uploads "+strings.Join(kinds, ", ")), acts.VerifyMaterials, reqs).Get(ctx, &verdicts); err != nil {
		return err
	}
	if len(verdicts) != len(uploads) {
		return fmt.Errorf("verify uploads: %d verdicts for %d uploads", len(verdicts), len(uploads))
	}
	var refused error
	for i, u := range uploads {
		v := verdicts[i]
		if v.OK {
			continue
		}
		field := u.field
		if field == "" {
			field = "object_key"
		}
		reason := filing.Reason{Field: field, Code: v.Reason, Message: v.Message}
		f.audit(ctx, f.applicant(), action, "rejected upload "+u.key, []filing.Reason{reason}, f.state.Stage, f.state.Stage)
		if refused == nil {
			refused = temporal.NewNonRetryableApplicationError(v.Message, filing.ErrTypeMaterialRejected, nil, reason)
		}
	}
	return refused
}

// validDecision checks a reviewer's decision whatever the stage.
func validDecision(r filing.DecisionRequest) error {
	if r.Reviewer == "" {
		return invalidAction("the reviewer's staff ID is required")
	}
	if !r.Approve && len(r.Reasons) == 0 {
		return invalidAction("a rejection needs at least one reason")
	}
	for _, reason := range r.Reasons {
		if reason.Code == "" {
			return invalidAction("every reason needs a code")
		}
	}
	return nil
}
