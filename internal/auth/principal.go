package auth

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
)

// Role is what an API key may do.
type Role string

// Roles of API keys.
const (
	// RoleBackend acts for one provider account and sees only its filings.
	RoleBackend Role = "backend"
	// RoleReviewer decides initial and photo reviews and reads the queues.
	RoleReviewer Role = "reviewer"
	// RoleSupport reads everything and delivers outside events by hand.
	RoleSupport Role = "support"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	// KeyID is the public part of the API key; it is safe to log.
	KeyID string
	Role  Role
	// AccountID is the provider account a backend key acts for; empty for
	// reviewer and support keys, which see every account.
	AccountID string
}

// Sees reports whether the caller may see filings of account.
func (p Principal) Sees(account string) bool {
	return p.Role != RoleBackend || p.AccountID == account
}

const principalKey = "beianflow.principal"

// SetPrincipal records the caller of the request, for the middleware and
// handlers after the one that authenticated it.
func SetPrincipal(c echo.Context, p Principal) { c.Set(principalKey, p) }

// PrincipalOf returns the caller set by the authentication middleware; the
// zero Principal, which no role check admits, when there is none.
func PrincipalOf(c echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}

// Allow lets only the given roles through.
func Allow(roles ...Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := PrincipalOf(c)
			for _, r := range roles {
				if p.Role == r {
					return next(c)
				}
			}
			return &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
				Message: "this API key's role may not use this endpoint"}
		}
	}
}
