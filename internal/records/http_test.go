package records_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/records"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/rules"
)

const token = "tok"

// personID is a person's resident ID number: personal data that may reach
// the record service's query and nothing else.
var personID = sample.ResidentID("330106", "19900101", "123")

var _ rules.RecordLookup = (*records.HTTPClient)(nil)

// quick are client options that retry at once, so that tests do not wait
// for the production backoff.
func quick(token string) records.HTTPOptions {
	return records.HTTPOptions{Token: token, Options: httpcall.Options{
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		CallBudget: 5 * time.Second, Logger: slog.New(slog.DiscardHandler),
	}}
}

// overHTTP is a client of a sandbox server over lookup that wants token,
// with the server's requests counted.
func overHTTP(t *testing.T, lookup rules.RecordLookup) (*records.HTTPClient, *partnertest.Flaky) {
	t.Helper()
	f := &partnertest.Flaky{Next: records.NewSandboxServer(lookup, token)}
	return records.NewHTTPClient(partnertest.Serve(t, f).URL+"/", quick(token)), f
}

func TestASubjectIsOnRecordAtAnotherProviderByDefault(t *testing.T) {
	ctx := context.Background()
	sb := records.NewSandbox()
	client, _ := overHTTP(t, sb)
	guangdong := sample.CreditCode("91", "440106", sample.OrgCode("MA5GD001"))
	for certType, number := range map[filing.CertificateType]string{
		filing.CertBusinessLicense: guangdong,
		filing.CertResidentID:      personID,
		filing.CertPassport:        "E12345678", // no province in the number
	} {
		want, err := sb.LookupSubject(ctx, certType, number)
		require.NoError(t, err)
		got, err := client.LookupSubject(ctx, certType, number)
		require.NoError(t, err, certType)
		assert.Equal(t, want, got, certType)
		assert.True(t, got.Found, certType)
		assert.False(t, got.AtThisProvider, certType)
	}
	rec, err := client.LookupSubject(ctx, filing.CertBusinessLicense, guangdong)
	require.NoError(t, err)
	assert.Equal(t, "GD", rec.Province)
	assert.Regexp(t, `^粤ICP备\d{8}号$`, rec.FilingNumber)
}

func TestASubjectNotOnRecordIsAnAnswerNotAnError(t *testing.T) {
	app := sample.ValidApplication()
	sb := records.NewSandbox()
	sb.AddSubject(app.Subject.Province, app.Subject.CertificateType, app.Subject.CertificateNumber, rules.SubjectRecord{})
	client, f := overHTTP(t, sb)
	rec, err := client.LookupSubject(context.Background(), app.Subject.CertificateType, app.Subject.CertificateNumber)
	require.NoError(t, err)
	assert.False(t, rec.Found)
	assert.Equal(t, 1, f.Count(), "404 not_on_record is an answer: not retried")

	out, err := rules.DetermineType(context.Background(), client, app)
	require.NoError(t, err)
	assert.Equal(t, filing.TypeFirstFiling, out.Type)
}

func TestARegisteredSubjectCrossesTheWireWhole(t *testing.T) {
	// The names are compared with the order by DetermineType, so they
	// travel even though SubjectRecord's own JSON leaves them out.
	rec := rules.SubjectRecord{Found: true, FilingNumber: "浙ICP备12345678号", Province: "ZJ",
		Nature: filing.NaturePersonal, Name: "王小明", LeaderName: "王小明", Shell: true, AtThisProvider: true}
	sb := records.NewSandbox()
	sb.AddSubject("ZJ", filing.CertResidentID, personID, rec)
	client, _ := overHTTP(t, sb)
	got, err := client.LookupSubject(context.Background(), filing.CertResidentID, personID)
	require.NoError(t, err)
	assert.Equal(t, rec, got)
}

func TestTheFilingTypeOverHTTPIsTheSandboxs(t *testing.T) {
	client, _ := overHTTP(t, records.NewSandbox())
	app := sample.ValidApplication()
	out, err := rules.DetermineType(context.Background(), client, app)
	require.NoError(t, err)
	assert.Equal(t, filing.TypeNewWebsiteElsewhere, out.Type)

	app.Websites = app.Websites[:1]
	app.Websites[0].Domain = "www.taken-example.com"
	out, err = rules.DetermineType(context.Background(), client, app)
	require.NoError(t, err)
	assert.Equal(t, rules.CodeTypeDomainConflict, out.Code)
}

func TestADomainStartingWithTakenIsOnRecordUnderAnotherSubject(t *testing.T) {
	client, _ := overHTTP(t, records.NewSandbox())
	rec, err := client.LookupDomain(context.Background(), "taken-example.com")
	require.NoError(t, err)
	assert.Equal(t, rules.DomainRecord{Found: true, SubjectFilingNumber: "京ICP备00000001号"}, rec)
}

func TestAFreeDomainIsNotOnRecord(t *testing.T) {
	sb := records.NewSandbox()
	sb.AddDomain("xn--fiq228c.com", rules.DomainRecord{Found: true, SubjectFilingNumber: "浙ICP备12345678号", AtThisProvider: true})
	client, f := overHTTP(t, sb)
	rec, err := client.LookupDomain(context.Background(), "xiaoming-example.com")
	require.NoError(t, err)
	assert.False(t, rec.Found)
	assert.Equal(t, 1, f.Count(), "404 not_on_record is an answer: not retried")

	// An IDN travels in punycode, as DetermineType gives it.
	rec, err = client.LookupDomain(context.Background(), "xn--fiq228c.com")
	require.NoError(t, err)
	assert.Equal(t, rules.DomainRecord{Found: true, SubjectFilingNumber: "浙ICP备12345678号", AtThisProvider: true}, rec)
}

func TestDomainsTravelPathEscaped(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	lookup := lookupFuncs{domain: func(d string) (rules.DomainRecord, error) {
		mu.Lock()
		seen = append(seen, d)
		mu.Unlock()
		return rules.DomainRecord{}, nil
	}}
	client, _ := overHTTP(t, lookup)
	domains := []string{"example.com", "a/../b.com", "a?b=c#d.com", "%2F.com"}
	for _, d := range domains {
		_, err := client.LookupDomain(context.Background(), d)
		require.NoError(t, err, d)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, domains, seen)
}

func TestACertificateNumberTravelsOnlyInTheQueryOfAGET(t *testing.T) {
	var (
		mu   sync.Mutex
		reqs []*http.Request
	)
	srv := partnertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Clone(context.Background()))
		mu.Unlock()
		records.NewSandboxServer(records.NewSandbox(), token).ServeHTTP(w, r)
	}))
	_, err := records.NewHTTPClient(srv.URL, quick(token)).LookupSubject(context.Background(), filing.CertResidentID, personID)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/subjects", r.URL.Path)
	assert.Equal(t, url.Values{"certificate_type": {"resident_id"}, "certificate_number": {personID}}, r.URL.Query())
	assert.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
}

func TestAResidentIDNumberNeverReachesErrorsOrLogs(t *testing.T) {
	ctx := context.Background()
	var clientLog, serverLog bytes.Buffer
	opts := quick(token)
	opts.CallBudget = 300 * time.Millisecond
	opts.Logger = slog.New(slog.NewTextHandler(&clientLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&serverLog, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	sandbox := partnertest.Serve(t, records.NewSandboxServer(records.NewSandbox(), token))
	// A lookup whose error quotes the number, as a careless one might.
	quoting := partnertest.Serve(t, records.NewSandboxServer(lookupFuncs{subject: func(number string) (rules.SubjectRecord, error) {
		return rules.SubjectRecord{}, errors.New("backend refused " + number)
	}}, token))
	var followed atomic.Bool
	elsewhere := partnertest.Serve(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Store(true) }))
	redirecting := partnertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	closed := partnertest.Serve(t, http.NotFoundHandler())
	closed.Close() // connection refused

	clients := map[string]*records.HTTPClient{
		"wrong token":        records.NewHTTPClient(sandbox.URL, quick("other")),
		"wrong base URL":     records.NewHTTPClient(sandbox.URL+"/elsewhere", opts),
		"failing lookup":     records.NewHTTPClient(quoting.URL, opts),
		"redirect":           records.NewHTTPClient(redirecting.URL, opts),
		"connection refused": records.NewHTTPClient(closed.URL, opts),
	}
	for name, client := range clients {
		_, err := client.LookupSubject(ctx, filing.CertResidentID, personID)
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), personID, name)
		assert.Contains(t, err.Error(), "resident_id", "%s: the error says which lookup failed", name)
	}
	assert.False(t, followed.Load(), "a redirect would send the number elsewhere")
	assert.Contains(t, clientLog.String(), "retrying", "the client logged its retries")
	assert.NotContains(t, clientLog.String(), personID)
	assert.Contains(t, serverLog.String(), "subject lookup failed")
	assert.NotContains(t, serverLog.String(), personID)
}

func TestAWrongBaseURLIsNoFreeSubjectOrDomain(t *testing.T) {
	srv := partnertest.Serve(t, records.NewSandboxServer(records.NewSandbox(), token))
	client := records.NewHTTPClient(srv.URL+"/elsewhere", quick(token))
	_, err := client.LookupSubject(context.Background(), filing.CertBusinessLicense, sample.CompanyCreditCode)
	require.Error(t, err, "a bare 404 must not make a subject look new")
	assert.Contains(t, err.Error(), "HTTP 404")
	_, err = client.LookupDomain(context.Background(), "example.com")
	require.Error(t, err, "a bare 404 must not make a domain look free")
}

func TestAWrongTokenIsRefused(t *testing.T) {
	srv := partnertest.Serve(t, records.NewSandboxServer(records.NewSandbox(), token))
	for name, tok := range map[string]string{"wrong token": "other", "no token": ""} {
		_, err := records.NewHTTPClient(srv.URL, quick(tok)).LookupDomain(context.Background(), "taken-example.com")
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "HTTP 401 unauthorized", name)
	}
}

func TestARecordServiceOutageIsRetriedUntilItAnswers(t *testing.T) {
	f := &partnertest.Flaky{Next: records.NewSandboxServer(records.NewSandbox(), token),
		Spoil: partnertest.FailFirst(1, http.StatusServiceUnavailable)}
	client := records.NewHTTPClient(partnertest.Serve(t, f).URL, quick(token))
	rec, err := client.LookupDomain(context.Background(), "taken-example.com")
	require.NoError(t, err)
	assert.True(t, rec.Found)
	assert.Equal(t, 2, f.Count(), "503, then the record")
}

func TestTheServerRefusesAnIncompleteSubjectQuery(t *testing.T) {
	srv := partnertest.Serve(t, records.NewSandboxServer(records.NewSandbox(), ""))
	for _, q := range []string{"", "?certificate_type=resident_id", "?certificate_number=1&certificate_type=nonsense"} {
		res, err := http.Get(srv.URL + "/subjects" + q)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, q)
	}

	// The client refuses them before anything is sent.
	client, f := overHTTP(t, records.NewSandbox())
	_, err := client.LookupSubject(context.Background(), filing.CertResidentID, " ")
	require.Error(t, err)
	_, err = client.LookupDomain(context.Background(), "")
	require.Error(t, err)
	assert.Zero(t, f.Count())
}

// lookupFuncs is a RecordLookup answering with functions; a nil one finds
// nothing.
type lookupFuncs struct {
	subject func(number string) (rules.SubjectRecord, error)
	domain  func(domain string) (rules.DomainRecord, error)
}

func (l lookupFuncs) LookupSubject(_ context.Context, _ filing.CertificateType, number string) (rules.SubjectRecord, error) {
	if l.subject == nil {
		return rules.SubjectRecord{}, nil
	}
	return l.subject(number)
}

func (l lookupFuncs) LookupDomain(_ context.Context, domain string) (rules.DomainRecord, error) {
	if l.domain == nil {
		return rules.DomainRecord{}, nil
	}
	return l.domain(domain)
}
