package partner

import (
	"context"
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

// Protocol is a sandbox's side of a partner protocol whose create requests
// have bodies of type B: how it creates and reads records, and which of its
// errors are business refusals. Serve answers everything else the same way
// for every partner.
type Protocol[B any] struct {
	// Create makes the record that body asks for, or finds the one key made
	// before (created false), with the sandbox's time-scale hint scale (0
	// when absent). answer is the record's JSON answer.
	Create func(ctx context.Context, body B, key string, scale float64) (answer any, created bool, err error)
	// Read returns the JSON answer for the record ref names.
	Read func(ctx context.Context, ref string) (any, error)
	// Refused answers err when it is one of the protocol's business
	// refusals of a create (422) and reports whether it did.
	Refused func(w http.ResponseWriter, err error) bool
	// KeyReused is the error Create returns for a key of another filing's
	// record (409).
	KeyReused error
	// Unknown is the error Read returns for a ref no record has (404 with
	// UnknownCode and UnknownMessage).
	Unknown                     error
	UnknownCode, UnknownMessage string
	// Logger receives the failures answered 503.
	Logger *slog.Logger
}

// Serve serves p under n: POST Collection creates a record, GET
// Collection/{Ref} reads one. A bad time-scale hint, an oversized or
// malformed body, a reused key, an unknown ref and a failing database are
// answered alike for every partner (400, 413, 400, 409, 404, 503).
func Serve[B any](n Names, p Protocol[B]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+n.Collection, func(w http.ResponseWriter, r *http.Request) {
		var body B
		scale, ok := n.readCreate(w, r, &body)
		if !ok {
			return
		}
		// The sandbox refuses an empty key as an invalid request, which is
		// what a missing header is.
		answer, created, err := p.Create(r.Context(), body, r.Header.Get(httpcall.HeaderIdempotencyKey), scale)
		switch {
		case err == nil:
			Created(w, created, answer)
		case errors.Is(err, p.KeyReused):
			WriteError(w, http.StatusConflict, CodeIdempotencyKeyReused, "the idempotency key identifies a "+n.Noun+" of another filing")
		case p.Refused(w, err):
		default:
			n.unavailable(w, r, p.Logger, err)
		}
	})
	mux.HandleFunc("GET "+n.Collection+"/{"+n.Ref+"}", func(w http.ResponseWriter, r *http.Request) {
		answer, err := p.Read(r.Context(), r.PathValue(n.Ref))
		switch {
		case err == nil:
			WriteJSON(w, http.StatusOK, answer)
		case errors.Is(err, p.Unknown):
			WriteError(w, http.StatusNotFound, p.UnknownCode, p.UnknownMessage)
		default:
			n.unavailable(w, r, p.Logger, err)
		}
	})
	return mux
}

// readCreate reads the POST that creates a record: the sandbox's time-scale
// hint (httpcall.HeaderSandboxTimeScale) and the JSON body into body. A bad
// one is answered here (400 invalid_time_scale, 413, 400 invalid_json) and
// ok is false.
func (n Names) readCreate(w http.ResponseWriter, r *http.Request, body any) (scale float64, ok bool) {
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

// unavailable answers 503 for a failure of the sandbox's database: the
// client retries, as it would when the real partner is down.
func (n Names) unavailable(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
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
