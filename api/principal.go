package api

import "github.com/labstack/echo/v4"

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

// principalOf returns the caller set by the authentication middleware.
func principalOf(c echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}
