package courier

import (
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/partner"
)

// NewSandboxServer serves the courier protocol (docs/protocol.md) over sb,
// so that `make run` and the tests reach the sandbox courier through an
// HTTPClient as they would reach a real one:
//
//	POST /shipments                   201 new, 200 same key again, 400, 409, 413, 422, 503
//	GET  /shipments/{tracking_number} 200, 404, 503
//
// POST /shipments honours httpcall.HeaderSandboxTimeScale (400 invalid_time_scale
// unless a positive number).
func NewSandboxServer(sb *Sandbox) http.Handler {
	s := &sandboxServer{sb: sb}
	return names.Mux(s.create, s.track)
}

type sandboxServer struct{ sb *Sandbox }

func (s *sandboxServer) create(w http.ResponseWriter, r *http.Request) {
	var body shipmentBody
	scale, ok := names.ReadCreate(w, r, &body)
	if !ok {
		return
	}
	// The sandbox refuses an empty key as an invalid shipment, which is
	// what a missing header is.
	sh := body.shipment(r.Header.Get(httpcall.HeaderIdempotencyKey))
	sh.SandboxTimeScale = scale
	t, created, err := s.sb.createShipment(r.Context(), sh)
	var undeliverable *UndeliverableError
	switch {
	case errors.As(err, &undeliverable):
		partner.WriteJSON(w, http.StatusUnprocessableEntity, partner.ErrorBody{Code: codeUndeliverable,
			Message: "the parcel cannot be delivered as addressed", Reasons: undeliverable.Reasons})
	case errors.Is(err, ErrInvalidShipment):
		// The sandbox's messages name fields, never values.
		partner.WriteError(w, http.StatusUnprocessableEntity, codeInvalidShipment, err.Error())
	case errors.Is(err, ErrIdempotencyKeyReused):
		names.KeyReused(w)
	case err != nil:
		names.Unavailable(w, r, s.sb.base.Logger(), err)
	default:
		partner.Created(w, created, t)
	}
}

func (s *sandboxServer) track(w http.ResponseWriter, r *http.Request) {
	t, err := s.sb.Track(r.Context(), r.PathValue("tracking_number"))
	switch {
	case errors.Is(err, ErrUnknownShipment):
		partner.WriteError(w, http.StatusNotFound, codeUnknownShipment, "no shipment has this tracking number")
	case err != nil:
		names.Unavailable(w, r, s.sb.base.Logger(), err)
	default:
		partner.WriteJSON(w, http.StatusOK, t)
	}
}
