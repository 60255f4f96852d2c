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
//   - every subject is on record at another provider, with a filing number
//     derived from its province and certificate number;
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

func subjectKey(province string, certType filing.CertificateType, certNumber string) string {
	return strings.ToUpper(province) + "|" + string(certType) + "|" + strings.ToUpper(certNumber)
}

// AddSubject registers what the record system says about a subject.
func (s *Sandbox) AddSubject(province string, certType filing.CertificateType, certNumber string, r rules.SubjectRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subjects[subjectKey(province, certType, certNumber)] = r
}

// AddDomain registers what the record system says about a domain (ASCII).
func (s *Sandbox) AddDomain(domain string, r rules.DomainRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains[strings.ToLower(domain)] = r
}

// LookupSubject implements rules.RecordLookup.
func (s *Sandbox) LookupSubject(_ context.Context, province string, certType filing.CertificateType, certNumber string) (rules.SubjectRecord, error) {
	s.mu.RLock()
	r, ok := s.subjects[subjectKey(province, certType, certNumber)]
	s.mu.RUnlock()
	if ok {
		return r, nil
	}
	p, ok := rules.LookupProvince(province)
	if !ok {
		return rules.SubjectRecord{}, fmt.Errorf("records: unknown province %q", province)
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(subjectKey(province, certType, certNumber)))
	return rules.SubjectRecord{Found: true, FilingNumber: fmt.Sprintf("%sICP备%08d号", p.Abbrev, h.Sum32()%100000000)}, nil
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
