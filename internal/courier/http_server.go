package courier

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// maxRequestBytes caps a shipment body, a few hundred bytes in practice;
// the cap keeps a broken client from filling memory.
const maxRequestBytes = 1 << 20

// NewSandboxServer serves the courier protocol (docs/protocol.md) over sb,
// so that `make run` and the tests reach the sandbox courier through an
// HTTPClient as they would reach a real one:
//
//	POST /shipments                   201 new, 200 same key again, 400, 409, 413, 422, 503
//	GET  /shipments/{tracking_number} 200, 404, 503
//
// POST /shipments honours HeaderSandboxTimeScale (400 invalid_time_scale
// unless a positive number).
func NewSandboxServer(sb *Sandbox) http.Handler {
	s := &sandboxServer{sb: sb}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /shipments", s.create)
	mux.HandleFunc("GET /shipments/{tracking_number}", s.track)
	return mux
}

type sandboxServer struct{ sb *Sandbox }

func (s *sandboxServer) create(w http.ResponseWriter, r *http.Request) {
	scale, ok := httpcall.ParseSandboxTimeScale(r.Header.Get(HeaderSandboxTimeScale))
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Code: codeInvalidTimeScale,
			Message: HeaderSandboxTimeScale + " must be a positive number"})
		return
	}
	var body shipmentBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes)).Decode(&body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Code: codeBodyTooLarge, Message: "request body larger than 1 MiB"})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Code: codeInvalidJSON, Message: "request body is not a JSON shipment"})
		return
	}
	// The sandbox refuses an empty key as an invalid shipment, which is
	// what a missing header is.
	sh := body.shipment(r.Header.Get(HeaderIdempotencyKey))
	sh.SandboxTimeScale = scale
	t, created, err := s.sb.createShipment(r.Context(), sh)
	var undeliverable *UndeliverableError
	switch {
	case errors.As(err, &undeliverable):
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{Code: codeUndeliverable,
			Message: "the parcel cannot be delivered as addressed", Reasons: undeliverable.Reasons})
	case errors.Is(err, ErrInvalidShipment):
		// The sandbox's messages name fields, never values.
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{Code: codeInvalidShipment, Message: err.Error()})
	case errors.Is(err, ErrIdempotencyKeyReused):
		writeJSON(w, http.StatusConflict, errorBody{Code: codeIdempotencyKeyReused,
			Message: "the idempotency key identifies a shipment of another filing"})
	case err != nil:
		s.unavailable(w, r, err)
	case created:
		writeJSON(w, http.StatusCreated, t)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

func (s *sandboxServer) track(w http.ResponseWriter, r *http.Request) {
	t, err := s.sb.Track(r.Context(), r.PathValue("tracking_number"))
	switch {
	case errors.Is(err, ErrUnknownShipment):
		writeJSON(w, http.StatusNotFound, errorBody{Code: codeUnknownShipment, Message: "no shipment has this tracking number"})
	case err != nil:
		s.unavailable(w, r, err)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

// unavailable answers 503 for a failure of the sandbox's database: the
// client retries, as it would when a real courier is down.
func (s *sandboxServer) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.sb.base.Logger().ErrorContext(r.Context(), "courier sandbox server: request failed",
		"method", r.Method, "route", r.Pattern, "err", err)
	writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: codeUnavailable, Message: "the courier is temporarily unavailable"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
