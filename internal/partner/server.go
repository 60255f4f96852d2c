package partner

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// MaxRequestBytes caps a request body of a partner protocol. A submission
// with every field filled is a few kilobytes, a shipment a few hundred
// bytes; the cap keeps a broken client from filling memory.
const MaxRequestBytes = 1 << 20

// ErrorBody is every error answer of a partner protocol; Reasons only where
// the protocol gives them (the courier's undeliverable address).
type ErrorBody struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Reasons []string `json:"reasons,omitzero"`
}

// Error codes both partner protocols answer.
const (
	CodeInvalidJSON          = "invalid_json"
	CodeInvalidTimeScale     = "invalid_time_scale"
	CodeBodyTooLarge         = "body_too_large"
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	CodeUnavailable          = "unavailable"
)

// Mux routes the protocol: POST Collection creates a record, GET
// Collection/{Ref} reads one.
func (n Names) Mux(create, read http.HandlerFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+n.Collection, create)
	mux.HandleFunc("GET "+n.Collection+"/{"+n.Ref+"}", read)
	return mux
}

// ReadCreate reads the POST that creates a record: the sandbox's time-scale
// hint (httpcall.HeaderSandboxTimeScale) and the JSON body into body. A bad
// one is answered here (400 invalid_time_scale, 413, 400 invalid_json) and
// ok is false.
func (n Names) ReadCreate(w http.ResponseWriter, r *http.Request, body any) (scale float64, ok bool) {
	scale, ok = httpcall.ParseSandboxTimeScale(r.Header.Get(httpcall.HeaderSandboxTimeScale))
	if !ok {
		WriteError(w, http.StatusBadRequest, CodeInvalidTimeScale, httpcall.HeaderSandboxTimeScale+" must be a positive number")
		return 0, false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes)).Decode(body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			WriteError(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "request body larger than 1 MiB")
			return 0, false
		}
		WriteError(w, http.StatusBadRequest, CodeInvalidJSON, "request body is not a JSON "+n.Noun)
		return 0, false
	}
	return scale, true
}

// KeyReused answers a create whose idempotency key names another filing's
// record.
func (n Names) KeyReused(w http.ResponseWriter) {
	WriteError(w, http.StatusConflict, CodeIdempotencyKeyReused, "the idempotency key identifies a "+n.Noun+" of another filing")
}

// Unavailable answers 503 for a failure of the sandbox's database: the
// client retries, as it would when the real partner is down.
func (n Names) Unavailable(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	log.ErrorContext(r.Context(), n.Service+" sandbox server: request failed", "method", r.Method, "route", r.Pattern, "err", err)
	WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "the "+n.Party+" is temporarily unavailable")
}

// Created answers a create: 201 for a new record, 200 for one the same key
// made before.
func Created(w http.ResponseWriter, created bool, v any) {
	if created {
		WriteJSON(w, http.StatusCreated, v)
		return
	}
	WriteJSON(w, http.StatusOK, v)
}

// WriteError answers an error without reasons.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, ErrorBody{Code: code, Message: message})
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
