package instances

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
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
			httpcall.WriteJSON(w, http.StatusOK, toInstanceBody(inst))
		case errors.Is(err, ErrNotFound):
			httpcall.WriteJSON(w, http.StatusNotFound, errorBody{Code: codeUnknownInstance, Message: "no instance has this ID"})
		default:
			slog.Default().ErrorContext(r.Context(), "instances sandbox server: lookup failed", "route", r.Pattern, "err", err)
			httpcall.WriteJSON(w, http.StatusServiceUnavailable, errorBody{Code: codeUnavailable, Message: "the inventory is temporarily unavailable"})
		}
	})
	if token == "" {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpcall.HasBearer(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="instances"`)
			httpcall.WriteJSON(w, http.StatusUnauthorized, errorBody{Code: codeUnauthorized, Message: "a valid bearer token is required"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}
