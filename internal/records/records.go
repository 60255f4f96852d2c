// Package records looks filings up in the MIIT filing system: is a subject
// or a domain already on record, under whom and through which provider. The
// answer decides the filing type (rules.DetermineType). This package holds
// the sandbox that `make run` and the tests use; a real client of the MIIT
// or provider record service implements the same rules.RecordLookup.
package records

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// Sandbox is an in-memory record system with defaults that make the main
// path (新增网站, original filing at another provider) the common case:
//
//   - every subject is on record at another provider, in the province its
//     certificate was issued in (the administrative division in a credit
//     code or resident ID number; not reported where the number carries
//     none), with a filing number derived from province and certificate
//     number;
//   - no domain is on record, except domains whose first label starts with
//     "taken-", which are filed under another subject (域名冲突).
//
// Tests and demos register other situations with AddSubject and AddDomain.
type Sandbox struct {
	mu       sync.RWMutex
	subjects map[string]rules.SubjectRecord
	domains  map[string]rules.DomainRecord
}

var _ rules.RecordLookup = (*Sandbox)(nil)

// NewSandbox returns an empty sandbox with the default rules above.
func NewSandbox() *Sandbox {
	return &Sandbox{subjects: map[string]rules.SubjectRecord{}, domains: map[string]rules.DomainRecord{}}
}

// Subjects are on record nationwide: the key has no province.
func subjectKey(certType filing.CertificateType, certNumber string) string {
	return string(certType) + "|" + strings.ToUpper(strings.TrimSpace(certNumber))
}

// AddSubject registers what the record system says about a subject on
// record in province (r.Province, when set, wins).
func (s *Sandbox) AddSubject(province string, certType filing.CertificateType, certNumber string, r rules.SubjectRecord) {
	if r.Province == "" && r.Found {
		r.Province = strings.ToUpper(province)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subjects[subjectKey(certType, certNumber)] = r
}

// AddDomain registers what the record system says about a domain (ASCII).
func (s *Sandbox) AddDomain(domain string, r rules.DomainRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains[strings.ToLower(domain)] = r
}

// LookupSubject implements rules.RecordLookup.
func (s *Sandbox) LookupSubject(_ context.Context, certType filing.CertificateType, certNumber string) (rules.SubjectRecord, error) {
	key := subjectKey(certType, certNumber)
	s.mu.RLock()
	r, ok := s.subjects[key]
	s.mu.RUnlock()
	if ok {
		return r, nil
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	number := h.Sum32() % 100000000
	p, ok := issuedIn(certType, strings.TrimSpace(certNumber))
	if !ok {
		// A certificate without a division (a passport, a licence of its
		// own numbering): on record, province not reported.
		return rules.SubjectRecord{Found: true, FilingNumber: fmt.Sprintf("ICP备%08d号", number)}, nil
	}
	return rules.SubjectRecord{Found: true, Province: p.Code, FilingNumber: fmt.Sprintf("%sICP备%08d号", p.Abbrev, number)}, nil
}

// issuedIn is the province a certificate number says it was issued in: the
// administrative division of a resident ID number or of a unified social
// credit code, as the rules parse them.
func issuedIn(certType filing.CertificateType, number string) (rules.Province, bool) {
	if certType == filing.CertResidentID {
		id, err := rules.ParseResidentID(number)
		if err != nil {
			return rules.Province{}, false
		}
		return rules.ProvinceOfDivision(id.Region)
	}
	code, err := rules.ParseCreditCode(number)
	if err != nil {
		return rules.Province{}, false
	}
	return rules.ProvinceOfDivision(code.Region)
}

// LookupDomain implements rules.RecordLookup.
func (s *Sandbox) LookupDomain(_ context.Context, domain string) (rules.DomainRecord, error) {
	domain = strings.ToLower(domain)
	s.mu.RLock()
	r, ok := s.domains[domain]
	s.mu.RUnlock()
	if ok {
		return r, nil
	}
	if strings.HasPrefix(domain, "taken-") {
		return rules.DomainRecord{Found: true, SubjectFilingNumber: "京ICP备00000001号"}, nil
	}
	return rules.DomainRecord{}, nil
}
