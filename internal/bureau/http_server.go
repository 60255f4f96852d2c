package bureau

import (
	"context"
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/partner"
)

// NewSandboxServer serves the gateway protocol (docs/protocol.md) over sb,
// so that `make run` and the tests reach the sandbox bureau through an
// HTTPClient as they would reach a real gateway:
//
//	POST /submissions               201 new, 200 same key again, 400, 409, 413, 422, 503
//	GET  /submissions/{receipt_id}  200, 404, 503
//
// POST /submissions honours httpcall.HeaderSandboxTimeScale (400
// invalid_time_scale unless a positive number).
func NewSandboxServer(sb *Sandbox) http.Handler {
	return partner.Serve(names, partner.Protocol[submissionBody]{
		Create: func(ctx context.Context, body submissionBody, key string, scale float64) (any, bool, error) {
			sub := body.submission(key)
			sub.SandboxTimeScale = scale
			rc, created, err := sb.submit(ctx, sub)
			return receiptBody(rc), created, err
		},
		Read: func(ctx context.Context, receiptID string) (any, error) { return sb.Status(ctx, receiptID) },
		Refused: func(w http.ResponseWriter, err error) bool {
			if !errors.Is(err, ErrInvalidSubmission) {
				return false
			}
			// The sandbox's messages name fields and codes, never values.
			partner.WriteError(w, http.StatusUnprocessableEntity, codeInvalidSubmission, err.Error())
			return true
		},
		KeyReused:      ErrIdempotencyKeyReused,
		Unknown:        ErrUnknownReceipt,
		UnknownCode:    codeUnknownReceipt,
		UnknownMessage: "no submission has this receipt ID",
		Logger:         sb.base.Logger(),
	})
}
