package httpcall

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
)

// The two ends of a partner protocol's bearer token and JSON answers: a
// client sends BearerHeader, a sandbox server checks HasBearer and answers
// with WriteJSON.

// BearerHeader is the header that carries token ("Authorization: Bearer
// <token>"); nil without a token.
func BearerHeader(token string) http.Header {
	if token == "" {
		return nil
	}
	return http.Header{"Authorization": {"Bearer " + token}}
}

// HasBearer reports whether r carries token as its bearer token. The
// scheme is case-insensitive (RFC 9110); the token is compared in constant
// time so that answer times do not reveal how much of a guess was right.
func HasBearer(r *http.Request, token string) bool {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client has gone if this fails; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
