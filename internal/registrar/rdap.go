package registrar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// RealNameExtension is the RDAP extension (RFC 9083 §2.1: a prefixed
// member, named in rdapConformance) that carries a holder's real-name
// verification. RDAP has no such member of its own; registrars that answer
// it, and the sandbox, add it.
const RealNameExtension = "beianflow_realname"

// RDAP is a Lookup over the Registration Data Access Protocol (RFC 9082
// queries, RFC 9083 answers): GET {base}/domain/{name} at the registry
// the bootstrap names for the domain's TLD. It retries network failures
// and 429/5xx answers within its budget; a 404 RDAP error is
// ErrNotRegistered.
type RDAP struct {
	bootstrap Bootstrap
	opts      httpcall.Options
}

// NewRDAP returns a client over the registries of bootstrap.
func NewRDAP(bootstrap Bootstrap, opts httpcall.Options) *RDAP {
	return &RDAP{bootstrap: bootstrap, opts: opts}
}

var _ Lookup = (*RDAP)(nil)

// Open returns a client of the RDAP service at url (BEIANFLOW_RDAP_URL), or,
// for file:PATH, of each TLD's registry as IANA's bootstrap file at PATH
// names it.
func Open(url string, opts httpcall.Options) (*RDAP, error) {
	path, isFile := strings.CutPrefix(url, "file:")
	if !isFile {
		return NewRDAP(SingleService(url), opts), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("registrar: RDAP bootstrap file: %w", err)
	}
	bootstrap, err := ParseBootstrap(b)
	if err != nil {
		return nil, err
	}
	return NewRDAP(bootstrap, opts), nil
}

// Lookup implements Lookup.
func (r *RDAP) Lookup(ctx context.Context, domain string) (Registration, error) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	base, ok := r.bootstrap.BaseURL(domain)
	if !ok {
		return Registration{}, fmt.Errorf("registrar: no RDAP service for %s", domain)
	}
	op := "rdap " + domain
	c := httpcall.New("rdap", base, r.opts)
	a, err := c.CallWithHeader(ctx, op, http.MethodGet, "/domain/"+url.PathEscape(domain), "", nil,
		http.Header{"Accept": {"application/rdap+json, application/json"}})
	if err != nil {
		return Registration{}, err
	}
	switch a.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		// Only an RDAP error answer says the domain is not there; a bare
		// 404 from a wrong base URL must not.
		var e rdapError
		if json.Unmarshal(a.Body, &e) == nil && e.ErrorCode == http.StatusNotFound {
			return Registration{}, fmt.Errorf("%s: %w", op, ErrNotRegistered)
		}
		return Registration{}, fmt.Errorf("registrar: %s: HTTP 404 without an RDAP error", op)
	default:
		return Registration{}, fmt.Errorf("registrar: %s: HTTP %d", op, a.Status)
	}
	reg, err := ParseDomain(a.Body)
	if err != nil {
		return Registration{}, fmt.Errorf("registrar: %s: %w", op, err)
	}
	return reg, nil
}

// rdapError is an RDAP error response (RFC 9083 §6).
type rdapError struct {
	ErrorCode int      `json:"errorCode"`
	Title     string   `json:"title,omitempty"`
	Desc      []string `json:"description,omitempty"`
}

// domainObject is the part of an RDAP domain object (RFC 9083 §5.3) that
// a filing needs.
type domainObject struct {
	ObjectClassName string     `json:"objectClassName"`
	LDHName         string     `json:"ldhName"`
	Status          []string   `json:"status,omitempty"`
	Events          []event    `json:"events,omitempty"`
	Entities        []entity   `json:"entities,omitempty"`
	Conformance     []string   `json:"rdapConformance,omitempty"`
	RealName        *realNameX `json:"beianflow_realname,omitempty"`
}

type event struct {
	Action string `json:"eventAction"`
	Date   string `json:"eventDate"`
}

type entity struct {
	Handle    string          `json:"handle,omitempty"`
	Roles     []string        `json:"roles,omitempty"`
	PublicIDs []publicID      `json:"publicIds,omitempty"`
	VCard     json.RawMessage `json:"vcardArray,omitempty"`
	Entities  []entity        `json:"entities,omitempty"`
}

type publicID struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// realNameX is the RealNameExtension member.
type realNameX struct {
	Status RealName `json:"status"`
}

// ParseDomain reads an RDAP domain object.
func ParseDomain(body []byte) (Registration, error) {
	var d domainObject
	if err := json.Unmarshal(body, &d); err != nil {
		return Registration{}, fmt.Errorf("unreadable RDAP domain object: %w", err)
	}
	if d.ObjectClassName != "domain" || d.LDHName == "" {
		return Registration{}, errors.New("not an RDAP domain object")
	}
	reg := Registration{Domain: strings.ToLower(strings.TrimSuffix(d.LDHName, "."))}
	for _, s := range d.Status {
		reg.Status = append(reg.Status, normalStatus(s))
	}
	for _, e := range d.Events {
		at, err := time.Parse(time.RFC3339, e.Date)
		if err != nil {
			continue // a registry's odd date says nothing we can use
		}
		switch e.Action {
		case "registration":
			reg.Registered = at
		case "expiration":
			reg.Expires = at
		}
	}
	for _, e := range d.Entities {
		for _, role := range e.Roles {
			switch role {
			case "registrar":
				reg.Registrar = Registrar{Name: vcardName(e.VCard), IANAID: ianaID(e)}
				if reg.Registrar.Name == "" {
					reg.Registrar.Name = e.Handle
				}
			case "registrant":
				reg.Registrant = vcardName(e.VCard)
			}
		}
	}
	if d.RealName != nil {
		reg.RealName = d.RealName.Status
	}
	return reg, nil
}

// normalStatus writes an EPP status the RDAP way (RFC 8056): some
// registries send "clientHold" where RDAP says "client hold".
func normalStatus(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ianaID(e entity) string {
	for _, id := range e.PublicIDs {
		if strings.EqualFold(id.Type, "IANA Registrar ID") {
			return id.Identifier
		}
	}
	return ""
}

// vcardName reads the organisation or full name of a jCard (RFC 7095):
// ["vcard", [["fn", {}, "text", "Name"], ...]].
func vcardName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var card []json.RawMessage
	if json.Unmarshal(raw, &card) != nil || len(card) != 2 {
		return ""
	}
	var props [][]json.RawMessage
	if json.Unmarshal(card[1], &props) != nil {
		return ""
	}
	found := map[string]string{}
	for _, p := range props {
		if len(p) < 4 {
			continue
		}
		var name, value string
		if json.Unmarshal(p[0], &name) != nil || json.Unmarshal(p[3], &value) != nil {
			continue
		}
		found[name] = value
	}
	if org := found["org"]; org != "" {
		return org
	}
	return found["fn"]
}

// Bootstrap maps TLDs to RDAP services: IANA's bootstrap file for DNS
// (RFC 9224, https://data.iana.org/rdap/dns.json), or one base URL for
// every domain (the sandbox).
type Bootstrap struct {
	services map[string]string // TLD label(s) → base URL
	all      string
}

// ParseBootstrap reads an RFC 9224 bootstrap file.
func ParseBootstrap(body []byte) (Bootstrap, error) {
	var f struct {
		Services [][][]string `json:"services"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return Bootstrap{}, fmt.Errorf("registrar: unreadable RDAP bootstrap file: %w", err)
	}
	b := Bootstrap{services: map[string]string{}}
	for _, s := range f.Services {
		if len(s) != 2 || len(s[1]) == 0 {
			return Bootstrap{}, errors.New("registrar: RDAP bootstrap service without TLDs or URLs")
		}
		base := s[1][0]
		for _, u := range s[1] { // RFC 9224 §3: prefer HTTPS
			if strings.HasPrefix(u, "https://") {
				base = u
				break
			}
		}
		for _, tld := range s[0] {
			b.services[strings.ToLower(tld)] = strings.TrimRight(base, "/")
		}
	}
	return b, nil
}

// SingleService is a Bootstrap that sends every domain to base.
func SingleService(base string) Bootstrap { return Bootstrap{all: strings.TrimRight(base, "/")} }

// BaseURL is the RDAP service of domain: the longest TLD entry matching
// its labels (RFC 9224 §4 allows multi-label entries).
func (b Bootstrap) BaseURL(domain string) (string, bool) {
	if b.all != "" {
		return b.all, true
	}
	labels := strings.Split(domain, ".")
	for i := 1; i < len(labels); i++ {
		if base, ok := b.services[strings.Join(labels[i:], ".")]; ok {
			return base, true
		}
	}
	return "", false
}
