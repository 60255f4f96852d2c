// Package registrar answers what the domain registries and registrars say
// of a domain: whether it is registered, at which registrar, until when,
// in which status, whether its holder passed real-name verification and
// who the holder is. The bureau rejects filings on every one of these
// (domain brief §2.3), so the initial review asks before the applicant
// waits for the bureau.
//
// Lookup is the interface; RDAP implements it over RFC 9083 for any
// registry with an RDAP service, and the sandbox of `make run` and the
// tests serves the same protocol from a scripted registry.
package registrar

import (
	"context"
	"errors"
	"slices"
	"time"
)

// ErrNotRegistered says the registry has no such domain.
var ErrNotRegistered = errors.New("registrar: the domain is not registered")

// Lookup answers the registration of a domain, given in ASCII (punycode).
type Lookup interface {
	Lookup(ctx context.Context, domain string) (Registration, error)
}

// Registration is what the registry and the registrar say of a domain.
type Registration struct {
	// Domain is the registered name, in ASCII, lower case.
	Domain string
	// Registrar sponsors the registration.
	Registrar Registrar
	// Status are the EPP statuses as RDAP reports them (RFC 8056), e.g.
	// "active", "client hold".
	Status []string
	// Registered and Expires are the registration and expiration events;
	// zero when the registry does not say.
	Registered, Expires time.Time
	// Registrant is the holder's name as published; empty when redacted.
	Registrant string
	// RealName is the holder's real-name verification (实名认证) at the
	// registrar; RealNameUnknown where the answer does not carry it.
	RealName RealName
}

// Registrar is a domain registrar.
type Registrar struct {
	Name string
	// IANAID is the registrar's IANA ID where it has one (gTLDs).
	IANAID string
}

// RealName is the state of a holder's real-name verification.
type RealName string

// Real-name verification states.
const (
	RealNameUnknown  RealName = ""
	RealNameVerified RealName = "verified"
	RealNamePending  RealName = "pending"
)

// OnHold says whether the registry or the registrar suspended the
// domain's resolution (serverHold, clientHold): such a domain cannot host
// the website the filing is for.
func (r Registration) OnHold() bool {
	return slices.ContainsFunc(r.Status, func(s string) bool { return s == "client hold" || s == "server hold" })
}

// ValidFor says whether the registration is still valid days after now;
// an unknown expiry is not known to be too short.
func (r Registration) ValidFor(now time.Time, days int) bool {
	return r.Expires.IsZero() || !r.Expires.Before(now.AddDate(0, 0, days))
}
