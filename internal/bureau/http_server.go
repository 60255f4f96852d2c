package bureau

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// maxRequestBytes caps a submission body. An application with every field
// filled is a few kilobytes; the cap keeps a broken client from filling
// memory.
const maxRequestBytes = 1 << 20

// NewSandboxServer serves the gateway protocol (docs/protocol.md) over sb,
// so that `make run` and the tests reach the sandbox bureau through an
// HTTPClient as they would reach a real gateway:
//
//	POST /submissions               201 new, 200 same key again, 400, 409, 413, 422, 503
//	GET  /submissions/{receipt_id}  200, 404, 503
//
// POST /submissions honours HeaderSandboxTimeScale (400
// invalid_time_scale unless a positive number).
func NewSandboxServer(sb *Sandbox) http.Handler {
	s := &sandboxServer{sb: sb}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /submissions", s.submit)
	mux.HandleFunc("GET /submissions/{receipt_id}", s.status)
	return mux
}

type sandboxServer struct{ sb *Sandbox }

func (s *sandboxServer) submit(w http.ResponseWriter, r *http.Request) {
	scale, ok := httpcall.ParseSandboxTimeScale(r.Header.Get(HeaderSandboxTimeScale))
	if !ok {
		writeError(w, http.StatusBadRequest, codeInvalidTimeScale, HeaderSandboxTimeScale+" must be a positive number")
		return
	}
	var body submissionBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes)).Decode(&body); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, codeBodyTooLarge, "request body larger than 1 MiB")
			return
		}
		writeError(w, http.StatusBadRequest, codeInvalidJSON, "request body is not a JSON submission")
		return
	}
	// The sandbox refuses an empty key as an invalid submission, which is
	// what a missing header is.
	sub := body.submission(r.Header.Get(HeaderIdempotencyKey))
	sub.SandboxTimeScale = scale
	rc, created, err := s.sb.submit(r.Context(), sub)
	switch {
	case errors.Is(err, ErrInvalidSubmission):
		// The sandbox's messages name fields and codes, never values.
		writeError(w, http.StatusUnprocessableEntity, codeInvalidSubmission, err.Error())
	case errors.Is(err, ErrIdempotencyKeyReused):
		writeError(w, http.StatusConflict, codeIdempotencyKeyReused, "the idempotency key identifies a submission of another filing")
	case err != nil:
		s.unavailable(w, r, err)
	case created:
		writeJSON(w, http.StatusCreated, receiptBody(rc))
	default:
		writeJSON(w, http.StatusOK, receiptBody(rc))
	}
}

func (s *sandboxServer) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.sb.Status(r.Context(), r.PathValue("receipt_id"))
	switch {
	case errors.Is(err, ErrUnknownReceipt):
		writeError(w, http.StatusNotFound, codeUnknownReceipt, "no submission has this receipt ID")
	case err != nil:
		s.unavailable(w, r, err)
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// unavailable answers 503 for a failure of the sandbox's database: the
// client retries, as it would when a real gateway is down.
func (s *sandboxServer) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.sb.base.Logger().ErrorContext(r.Context(), "bureau sandbox server: request failed",
		"method", r.Method, "route", r.Pattern, "err", err)
	writeError(w, http.StatusServiceUnavailable, codeUnavailable, "the gateway is temporarily unavailable")
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Code: code, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
