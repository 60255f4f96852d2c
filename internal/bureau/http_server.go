package bureau

import (
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
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
	s := &sandboxServer{sb: sb}
	return names.Mux(s.submit, s.status)
}

type sandboxServer struct{ sb *Sandbox }

func (s *sandboxServer) submit(w http.ResponseWriter, r *http.Request) {
	var body submissionBody
	scale, ok := names.ReadCreate(w, r, &body)
	if !ok {
		return
	}
	// The sandbox refuses an empty key as an invalid submission, which is
	// what a missing header is.
	sub := body.submission(r.Header.Get(httpcall.HeaderIdempotencyKey))
	sub.SandboxTimeScale = scale
	rc, created, err := s.sb.submit(r.Context(), sub)
	switch {
	case errors.Is(err, ErrInvalidSubmission):
		// The sandbox's messages name fields and codes, never values.
		partner.WriteError(w, http.StatusUnprocessableEntity, codeInvalidSubmission, err.Error())
	case errors.Is(err, ErrIdempotencyKeyReused):
		names.KeyReused(w)
	case err != nil:
		names.Unavailable(w, r, s.sb.base.Logger(), err)
	default:
		partner.Created(w, created, receiptBody(rc))
	}
}

func (s *sandboxServer) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.sb.Status(r.Context(), r.PathValue("receipt_id"))
	switch {
	case errors.Is(err, ErrUnknownReceipt):
		partner.WriteError(w, http.StatusNotFound, codeUnknownReceipt, "no submission has this receipt ID")
	case err != nil:
		names.Unavailable(w, r, s.sb.base.Logger(), err)
	default:
		partner.WriteJSON(w, http.StatusOK, st)
	}
}
