package registrar

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sandbox markers: a domain whose first label starts with one of these is
// registered that way in the sandbox, so that `make run` and the tests can
// walk each rejection through the real protocol.
const (
	// MarkerUnregistered: no registration (RDAP 404).
	MarkerUnregistered = "unregistered-"
	// MarkerExpiring: expires in 20 days.
	MarkerExpiring = "expiring-"
	// MarkerForeign: registered at a registrar MIIT has not approved.
	MarkerForeign = "foreign-"
	// MarkerRealNamePending: the holder's real-name verification is pending.
	MarkerRealNamePending = "unverified-"
	// MarkerOnHold: the registry suspended it (server hold).
	MarkerOnHold = "onhold-"
	// MarkerOtherHolder: held by someone other than any subject
	// (SandboxOtherHolder); ordinary sandbox domains publish no holder, as
	// registries that redact it do.
	MarkerOtherHolder = "otherholder-"
)

// SandboxOtherHolder is the published holder of MarkerOtherHolder domains.
const SandboxOtherHolder = "Example Other Holder Co., Ltd."

// SandboxRegistrar is the registrar of the sandbox's ordinary domains.
var SandboxRegistrar = Registrar{Name: "阿里云计算有限公司（万网）", IANAID: "420"}

// SandboxForeignRegistrar is the registrar of MarkerForeign domains.
var SandboxForeignRegistrar = Registrar{Name: "Example Offshore Registrar Ltd.", IANAID: "9999"}

// Sandbox is a scripted registry: any domain is registered, a year ago for
// two more years at SandboxRegistrar and real-name verified, unless a
// marker or Set says otherwise. It is safe for concurrent use.
type Sandbox struct {
	now func() time.Time

	mu     sync.Mutex
	script map[string]*Registration // nil value: not registered
}

// NewSandbox returns a sandbox on the clock now (time.Now if nil).
func NewSandbox(now func() time.Time) *Sandbox {
	if now == nil {
		now = time.Now
	}
	return &Sandbox{now: now, script: map[string]*Registration{}}
}

var _ Lookup = (*Sandbox)(nil)

// Set scripts the answer for a domain; nil makes it unregistered.
func (s *Sandbox) Set(domain string, r *Registration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[strings.ToLower(domain)] = r
}

// Lookup implements Lookup.
func (s *Sandbox) Lookup(_ context.Context, domain string) (Registration, error) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	s.mu.Lock()
	r, scripted := s.script[domain]
	s.mu.Unlock()
	if scripted {
		if r == nil {
			return Registration{}, ErrNotRegistered
		}
		return *r, nil
	}
	now := s.now().UTC().Truncate(time.Second)
	reg := Registration{Domain: domain, Registrar: SandboxRegistrar, Status: []string{"active"},
		Registered: now.AddDate(-1, 0, 0), Expires: now.AddDate(2, 0, 0), RealName: RealNameVerified}
	switch first := strings.SplitN(domain, ".", 2)[0]; {
	case strings.HasPrefix(first, MarkerUnregistered):
		return Registration{}, ErrNotRegistered
	case strings.HasPrefix(first, MarkerExpiring):
		reg.Expires = now.AddDate(0, 0, 20)
	case strings.HasPrefix(first, MarkerForeign):
		reg.Registrar = SandboxForeignRegistrar
	case strings.HasPrefix(first, MarkerRealNamePending):
		reg.RealName = RealNamePending
	case strings.HasPrefix(first, MarkerOnHold):
		reg.Status = []string{"server hold"}
	case strings.HasPrefix(first, MarkerOtherHolder):
		reg.Registrant = SandboxOtherHolder
	}
	return reg, nil
}

// NewSandboxServer serves l over RDAP (GET /domain/{name}), as a registry
// would, so that the RDAP client reaches the sandbox through the protocol.
func NewSandboxServer(l Lookup) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /domain/{name}", func(w http.ResponseWriter, req *http.Request) {
		reg, err := l.Lookup(req.Context(), req.PathValue("name"))
		w.Header().Set("Content-Type", "application/rdap+json")
		switch {
		case err == nil:
			_ = json.NewEncoder(w).Encode(domainObjectOf(reg))
		case errors.Is(err, ErrNotRegistered):
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(rdapError{ErrorCode: http.StatusNotFound, Title: "Not Found"})
		default:
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(rdapError{ErrorCode: http.StatusInternalServerError, Title: "Internal Server Error"})
		}
	})
	return mux
}

// domainObjectOf writes a registration as an RDAP domain object.
func domainObjectOf(r Registration) domainObject {
	d := domainObject{ObjectClassName: "domain", LDHName: r.Domain, Status: r.Status,
		Conformance: []string{"rdap_level_0", RealNameExtension + "_0"}}
	if !r.Registered.IsZero() {
		d.Events = append(d.Events, event{Action: "registration", Date: r.Registered.Format(time.RFC3339)})
	}
	if !r.Expires.IsZero() {
		d.Events = append(d.Events, event{Action: "expiration", Date: r.Expires.Format(time.RFC3339)})
	}
	registrar := entity{Handle: r.Registrar.IANAID, Roles: []string{"registrar"}, VCard: jcard(r.Registrar.Name)}
	if r.Registrar.IANAID != "" {
		registrar.PublicIDs = []publicID{{Type: "IANA Registrar ID", Identifier: r.Registrar.IANAID}}
	}
	d.Entities = append(d.Entities, registrar)
	if r.Registrant != "" {
		d.Entities = append(d.Entities, entity{Roles: []string{"registrant"}, VCard: jcard(r.Registrant)})
	}
	if r.RealName != RealNameUnknown {
		d.RealName = &realNameX{Status: r.RealName}
	}
	return d
}

func jcard(name string) json.RawMessage {
	b, _ := json.Marshal([]any{"vcard", [][]any{{"version", map[string]any{}, "text", "4.0"}, {"fn", map[string]any{}, "text", name}}})
	return b
}

// RedactHolders answers as l does but without the holder, as registries
// publish it (gTLD registries since the GDPR, CNNIC not over RDAP at all):
// the sandbox world's RDAP service, whose holders come from the
// registrar's API (WithHolders).
func RedactHolders(l Lookup) Lookup { return redacted{l} }

type redacted struct{ l Lookup }

// Lookup implements Lookup.
func (r redacted) Lookup(ctx context.Context, domain string) (Registration, error) {
	reg, err := r.l.Lookup(ctx, domain)
	reg.Registrant = ""
	return reg, err
}
