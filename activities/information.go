package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"golang.org/x/sync/errgroup"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/verificationform"
)

// VerifyMaterialRequest names an uploaded object and what the client
// declared about it.
type VerifyMaterialRequest struct {
	FilingID  filing.ID           `json:"filing_id"`
	ObjectKey string              `json:"object_key"`
	Kind      filing.MaterialKind `json:"kind"`
	Size      int64               `json:"size"`
	SHA256    string              `json:"sha256"`
}

// MaterialVerdict is the outcome of a verification: OK, or a stable reason
// and an actionable message.
type MaterialVerdict struct {
	OK          bool   `json:"ok"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// verifyConcurrency bounds the uploads one VerifyMaterials call streams at
// once.
const verifyConcurrency = 4

// VerifyMaterials verifies the uploads one action references, as
// VerifyMaterial verifies each, a few at a time: one local activity for the
// action, one marker in the history however many documents it attaches. The
// verdicts are in the order of the requests; an error (S3 down) fails the
// whole call, whose retry finds what was already sealed.
func (a *Activities) VerifyMaterials(ctx context.Context, uploads []VerifyMaterialRequest) ([]MaterialVerdict, error) {
	verdicts := make([]MaterialVerdict, len(uploads))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(verifyConcurrency)
	for i, u := range uploads {
		g.Go(func() error {
			v, err := a.VerifyMaterial(ctx, u)
			verdicts[i] = v
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return verdicts, nil
}

// VerifyMaterial checks an upload: it exists, its size and SHA-256 match
// the declaration, its bytes are what its type claims and the kind's limits
// hold; then it is sealed into place with the filing's data key and the
// clear upload deleted. A bad upload is a verdict, not an error; S3 being
// down is an error, retried (and a retry after the move finds the sealed
// document).
func (a *Activities) VerifyMaterial(ctx context.Context, r VerifyMaterialRequest) (MaterialVerdict, error) {
	v, err := a.Documents.VerifyAndSeal(ctx, r.ObjectKey, r.Kind, r.Size, r.SHA256)
	if err != nil {
		return MaterialVerdict{}, fmt.Errorf("verify material of filing %s: %w", r.FilingID, err)
	}
	verdict := MaterialVerdict{OK: v.OK, Reason: v.Reason, Message: v.Message, ContentType: v.ContentType}
	if verdict.OK && r.Kind == filing.MaterialVerificationForm {
		return a.verifyFormScan(ctx, r, verdict)
	}
	return verdict, nil
}

// Reasons a verification form scan is refused for.
const (
	ReasonFormSerialUnreadable = "form_serial_unreadable"
	ReasonFormOfAnotherFiling  = "form_of_another_filing"
)

// verifyFormScan ties an uploaded verification form to this filing: the
// scan must show the serial of a form issued for it, read from its QR code
// (an image, or a PDF of scanned pages) or its text (a PDF).
func (a *Activities) verifyFormScan(ctx context.Context, r VerifyMaterialRequest, ok MaterialVerdict) (MaterialVerdict, error) {
	serial, form, err := a.scannedForm(ctx, r.ObjectKey, r.Size)
	switch {
	case errors.Is(err, verificationform.ErrNoSerial):
		if activity.IsActivity(ctx) {
			// Why the scan did not read (undecodable image, no QR code
			// found): the errors name formats and decoders, never content.
			// The logger names the filing (telemetry.NewWorkerInterceptor).
			activity.GetLogger(ctx).Info("verification form scan shows no readable serial",
				"content_type", ok.ContentType, "size", r.Size, "why", err.Error())
		}
		return MaterialVerdict{Reason: ReasonFormSerialUnreadable, ContentType: ok.ContentType,
			Message: "The scan shows no readable 核验单编号 (serial) or QR code. Download this filing's verification form, " +
				"print and sign it, and upload a scan or photo of the whole page."}, nil
	case errors.Is(err, store.ErrNotFound) || (err == nil && form.FilingID != r.FilingID):
		return MaterialVerdict{Reason: ReasonFormOfAnotherFiling, ContentType: ok.ContentType,
			Message: "The scan shows serial " + serial + ", which is not a verification form of this filing. " +
				"Download this filing's form and upload its signed scan."}, nil
	case err != nil:
		return MaterialVerdict{}, fmt.Errorf("verify the verification form of filing %s: %w", r.FilingID, err)
	}
	return ok, nil
}

// scannedForm reads the serial off an uploaded verification form and finds
// the form it was issued as: verificationform.ErrNoSerial when the scan
// shows none, store.ErrNotFound when no form has that serial.
func (a *Activities) scannedForm(ctx context.Context, key string, size int64) (string, store.VerificationForm, error) {
	content, contentType, err := a.Documents.Get(ctx, key, size)
	if err != nil {
		return "", store.VerificationForm{}, err
	}
	serial, err := verificationform.FindSerial(content, contentType)
	if err != nil {
		return "", store.VerificationForm{}, err
	}
	form, err := a.Forms.Lookup(ctx, serial)
	return serial, form, err
}
