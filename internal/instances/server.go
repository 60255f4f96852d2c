package instances

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// Error codes of the instance inventory protocol besides unknown_instance.
const (
	codeUnauthorized = "unauthorized"
	codeUnavailable  = "unavailable"
)

// errorBody is every error answer of the protocol, the shape the partner
// protocols use too.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// NewSandboxServer serves the instance inventory protocol (docs/protocol.md)
// over inv, typically the Sandbox, so that `make run` and the tests reach it
// through an HTTPClient as they would reach the provider's compute API:
//
//	GET /instances/{id}  200, 401, 404 unknown_instance, 503
//
// With a non-empty token every request must carry "Authorization: Bearer
// <token>" or is answered 401; an empty token serves everyone. Lookups
// that fail otherwise than ErrNotFound are logged and answered 503, so
// that the client retries as it would while the provider is down.
func NewSandboxServer(inv Inventory, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		inst, err := inv.Instance(r.Context(), r.PathValue("id"))
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, toInstanceBody(inst))
		case errors.Is(err, ErrNotFound):
			writeJSON(w, http.StatusNotFound, errorBody{Code: codeUnknownInstance, Message: "no instance has this ID"})
		default:
			slog.Default().ErrorContext(r.Context(), "instances sandbox server: lookup failed", "route", r.Pattern, "err", err)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: codeUnavailable, Message: "the inventory is temporarily unavailable"})
		}
	})
	if token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bearer(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="instances"`)
			writeJSON(w, http.StatusUnauthorized, errorBody{Code: codeUnauthorized, Message: "a valid bearer token is required"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// bearer reports whether r carries token as its bearer token. The scheme is
// case-insensitive (RFC 9110); the token is compared in constant time so
// that answer times do not reveal how much of a guess was right.
func bearer(r *http.Request, token string) bool {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
