package records

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/rules"
)

// HTTPOptions configures an HTTPClient: the bearer token and the calls'
// timeouts, budget, backoff and logger (httpcall.Options; zero fields take
// its defaults).
//
// The HTTPClient works on a copy of Options.Client that never follows
// redirects (see NewHTTPClient); the caller's client is left alone.
type HTTPOptions struct {
	// Token, when set, goes out as "Authorization: Bearer <token>" on every
	// attempt; the record service refuses requests without it (401).
	Token string
	httpcall.Options
}

// HTTPClient is a rules.RecordLookup that speaks the MIIT filing records
// protocol of docs/protocol.md: to the provider's record service, or to
// NewSandboxServer in `make run`. It retries network failures and 429, 502,
// 503 and 504 answers within HTTPOptions.CallBudget; lookups have no side
// effect, so retrying is always safe. A 404 whose code is not_on_record is
// the answer "no record" (Found false, no error); any other failure is an
// error, so that an outage never passes for a subject or domain that is
// free. It is safe for concurrent use.
//
// Certificate numbers are personal data (a person's is their resident ID
// number). The protocol carries them in the query of GET /subjects, and
// this client keeps them out of everything else: errors and log lines name
// only the certificate type, and the query is added to the request only on
// its way to the wire, so the errors net/http builds from the URL do not
// quote it.
type HTTPClient struct {
	c    *httpcall.Client
	auth http.Header
}

var _ rules.RecordLookup = (*HTTPClient)(nil)

// codeNotOnRecord is the error code of a 404 for a subject or domain that
// is not on record.
const codeNotOnRecord = "not_on_record"

// NewHTTPClient returns a client of the record service at baseURL, e.g.
// "https://records.example/v1" (a trailing slash is ignored). Production
// base URLs must be https: the query carries certificate numbers.
//
// Redirects are not followed: a redirect would send the certificate number
// to wherever the answer points, possibly over plain http. A 3xx answer is
// an unexpected (transient) answer instead.
func NewHTTPClient(baseURL string, opts HTTPOptions) *HTTPClient {
	hc := &http.Client{}
	if opts.Client != nil {
		copied := *opts.Client
		hc = &copied
	}
	hc.Transport = queryTransport{next: hc.Transport}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o := opts.Options
	o.Client = hc
	return &HTTPClient{c: httpcall.New("records", baseURL, o), auth: httpcall.BearerHeader(opts.Token)}
}

// subjectBody is a subject on record on the wire. Name and LeaderName are
// personal data for a personal subject; they travel because DetermineType
// compares them with the order, and rules.SubjectRecord keeps them out of
// its own JSON.
type subjectBody struct {
	FilingNumber   string               `json:"filing_number"`
	Province       string               `json:"province,omitempty"`
	Nature         filing.SubjectNature `json:"nature,omitempty"`
	Name           string               `json:"name,omitempty"`
	LeaderName     string               `json:"leader_name,omitempty"`
	Shell          bool                 `json:"shell"`
	AtThisProvider bool                 `json:"at_this_provider"`
}

// domainBody is a domain on record on the wire.
type domainBody struct {
	SubjectFilingNumber string `json:"subject_filing_number"`
	AtThisProvider      bool   `json:"at_this_provider"`
}

// LookupSubject implements rules.RecordLookup: GET
// /subjects?certificate_type=…&certificate_number=…. A missing type or
// number is refused before anything is sent.
func (c *HTTPClient) LookupSubject(ctx context.Context, certType filing.CertificateType, certNumber string) (rules.SubjectRecord, error) {
	// The operation names the type only: it goes into errors and logs.
	op := fmt.Sprintf("look up subject by %q", string(certType))
	if certType == "" || strings.TrimSpace(certNumber) == "" {
		return rules.SubjectRecord{}, fmt.Errorf("records: %s: certificate type and number are required", op)
	}
	q := url.Values{"certificate_type": {string(certType)}, "certificate_number": {certNumber}}
	ctx = context.WithValue(ctx, queryKey{}, query{encoded: q.Encode(), secret: certNumber})
	a, err := c.get(ctx, op, "/subjects")
	if err != nil || a.Status == http.StatusNotFound {
		return rules.SubjectRecord{}, err
	}
	var b subjectBody
	// A subject on record has a filing number; without one, a domain filed
	// under nobody would look filed under this subject.
	if err := c.c.Decode(op, a, "subject record", &b, func() bool { return b.FilingNumber != "" }); err != nil {
		return rules.SubjectRecord{}, err
	}
	return rules.SubjectRecord{
		Found: true, FilingNumber: b.FilingNumber, Province: b.Province, Nature: b.Nature,
		Name: b.Name, LeaderName: b.LeaderName, Shell: b.Shell, AtThisProvider: b.AtThisProvider,
	}, nil
}

// LookupDomain implements rules.RecordLookup: GET /domains/{domain}, the
// domain path-escaped as given (lower-case ASCII, IDNs in punycode). An
// empty domain is refused before anything is sent.
func (c *HTTPClient) LookupDomain(ctx context.Context, domain string) (rules.DomainRecord, error) {
	op := fmt.Sprintf("look up domain %q", domain)
	if domain == "" {
		return rules.DomainRecord{}, fmt.Errorf("records: %s: a domain is required", op)
	}
	a, err := c.get(ctx, op, "/domains/"+url.PathEscape(domain))
	if err != nil || a.Status == http.StatusNotFound {
		return rules.DomainRecord{}, err
	}
	var b domainBody
	// Without the subject's filing number the domain's owner is unknown,
	// and an empty one would match a subject reported without one.
	if err := c.c.Decode(op, a, "domain record", &b, func() bool { return b.SubjectFilingNumber != "" }); err != nil {
		return rules.DomainRecord{}, err
	}
	return rules.DomainRecord{Found: true, SubjectFilingNumber: b.SubjectFilingNumber, AtThisProvider: b.AtThisProvider}, nil
}

// get GETs path and returns a 200 answer, or a 404 not_on_record answer
// with no error. Anything else is an error: a bare 404 from a wrong base
// URL must not make a subject or domain look free.
func (c *HTTPClient) get(ctx context.Context, op, path string) (httpcall.Answer, error) {
	a, err := c.c.CallWithHeader(ctx, op, http.MethodGet, path, "", nil, c.auth)
	switch {
	case err != nil:
		return httpcall.Answer{}, err
	case a.Status == http.StatusOK:
		return a, nil
	case a.Status == http.StatusNotFound && a.Code() == codeNotOnRecord:
		return a, nil
	}
	return httpcall.Answer{}, c.c.Refused(op, a, nil)
}

// queryKey is the context key of the query a request carries to the wire.
type queryKey struct{}

// query is a request's query, and the personal data in it.
type query struct {
	encoded, secret string
}

// errWithheld replaces a transport error that quotes the query.
var errWithheld = errors.New("request failed; details withheld because they quote personal data")

// queryTransport adds the query in the request's context to the URL on the
// way to the wire. httpcall and net/http build their errors from the URL
// they were given, which thus never carries the query; an error of the
// transport itself that quotes it is replaced.
type queryTransport struct {
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t queryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	q, ok := r.Context().Value(queryKey{}).(query)
	if !ok {
		return next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.RawQuery = q.encoded
	resp, err := next.RoundTrip(r)
	if err != nil && (strings.Contains(err.Error(), q.encoded) || strings.Contains(err.Error(), q.secret)) {
		return nil, errWithheld
	}
	return resp, err
}
