package courier

import (
	"context"
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/partner"
)

// NewSandboxServer serves the courier protocol (docs/protocol.md) over sb,
// so that `make run` and the tests reach the sandbox courier through an
// HTTPClient as they would reach a real one:
//
//	POST /shipments                   201 new, 200 same key again, 400, 409, 413, 422, 503
//	GET  /shipments/{tracking_number} 200, 404, 503
//
// POST /shipments honours httpcall.HeaderSandboxTimeScale (400
// invalid_time_scale unless a positive number).
func NewSandboxServer(sb *Sandbox) http.Handler {
	return partner.Serve(names, partner.Protocol[shipmentBody]{
		Create: func(ctx context.Context, body shipmentBody, key string, scale float64) (any, bool, error) {
			sh := body.shipment(key)
			sh.SandboxTimeScale = scale
			return sb.createShipment(ctx, sh)
		},
		Read:           func(ctx context.Context, trackingNumber string) (any, error) { return sb.Track(ctx, trackingNumber) },
		Refused:        refused,
		KeyReused:      ErrIdempotencyKeyReused,
		Unknown:        ErrUnknownShipment,
		UnknownCode:    codeUnknownShipment,
		UnknownMessage: "no shipment has this tracking number",
		Logger:         sb.base.Logger(),
	})
}

// refused answers the courier's business refusals of a shipment: an
// address it cannot deliver to, with the reasons, and a shipment without
// key or filing.
func refused(w http.ResponseWriter, err error) bool {
	var undeliverable *UndeliverableError
	switch {
	case errors.As(err, &undeliverable):
		partner.WriteJSON(w, http.StatusUnprocessableEntity, partner.ErrorBody{Code: codeUndeliverable,
			Message: "the parcel cannot be delivered as addressed", Reasons: undeliverable.Reasons})
	case errors.Is(err, ErrInvalidShipment):
		// The sandbox's messages name fields, never values.
		partner.WriteError(w, http.StatusUnprocessableEntity, codeInvalidShipment, err.Error())
	default:
		return false
	}
	return true
}
