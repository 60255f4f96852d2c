package registrar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/registrar"
)

func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// CZ.NIC's real answer for example.cz: an expired registration whose
// registrar is named by handle only and whose holder is not published.
func TestARealRegistryAnswerIsRead(t *testing.T) {
	reg, err := registrar.ParseDomain(recorded(t, "rdap.nic.cz-domain-example.cz.json"))
	require.NoError(t, err)
	assert.Equal(t, "example.cz", reg.Domain)
	assert.Equal(t, []string{"active"}, reg.Status)
	assert.Equal(t, time.Date(2004, 8, 30, 22, 55, 0, 0, time.UTC), reg.Registered.UTC())
	assert.Equal(t, time.Date(2019, 8, 30, 12, 0, 0, 0, time.UTC), reg.Expires.UTC())
	assert.Equal(t, registrar.Registrar{Name: "REG-INTERNET-CZ"}, reg.Registrar)
	assert.Empty(t, reg.Registrant, "no contact data published")
	assert.Equal(t, registrar.RealNameUnknown, reg.RealName)
	assert.False(t, reg.ValidFor(time.Date(2019, 8, 1, 0, 0, 0, 0, time.UTC), 30), "expires within the month")
	assert.True(t, reg.ValidFor(time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC), 30))
}

// IANA's real bootstrap file: the service of a TLD, HTTPS first, the
// longest matching entry.
func TestTheRegistryOfADomainIsFoundThroughIANAsBootstrap(t *testing.T) {
	b, err := registrar.ParseBootstrap(recorded(t, "iana-dns-bootstrap-2017-03-15.json"))
	require.NoError(t, err)
	base, ok := b.BaseURL("example.cz")
	assert.True(t, ok)
	assert.Equal(t, "https://rdap.nic.cz", base)
	base, ok = b.BaseURL("registro.com.br")
	assert.True(t, ok)
	assert.Equal(t, "https://rdap.registro.br", base)
	_, ok = b.BaseURL("example.cn")
	assert.False(t, ok, "no service for .cn in this file")
}

// The RDAP client against a registry serving the recorded answer, and
// against the sandbox registry through the same protocol.
func TestTheRDAPClientReadsARegistryAndTheSandboxAlike(t *testing.T) {
	ctx := context.Background()
	cz := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Contains(t, r.Header.Get("Accept"), "application/rdap+json")
		switch r.URL.Path {
		case "/domain/example.cz":
			w.Header().Set("Content-Type", "application/rdap+json")
			_, _ = w.Write(recorded(t, "rdap.nic.cz-domain-example.cz.json"))
		case "/domain/nothing.cz":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errorCode":404,"title":"Not Found"}`))
		default:
			http.NotFound(w, r) // a bare 404: a wrong base URL
		}
	}))
	defer cz.Close()
	c := registrar.NewRDAP(registrar.SingleService(cz.URL), httpcall.Options{})
	reg, err := c.Lookup(ctx, "Example.CZ.")
	require.NoError(t, err)
	assert.Equal(t, "example.cz", reg.Domain)
	_, err = c.Lookup(ctx, "nothing.cz")
	assert.ErrorIs(t, err, registrar.ErrNotRegistered)
	_, err = c.Lookup(ctx, "elsewhere.cz")
	require.Error(t, err)
	assert.NotErrorIs(t, err, registrar.ErrNotRegistered, "a bare 404 says nothing of the domain")

	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	sb := registrar.NewSandbox(func() time.Time { return now })
	srv := httptest.NewServer(registrar.NewSandboxServer(sb))
	defer srv.Close()
	c = registrar.NewRDAP(registrar.SingleService(srv.URL), httpcall.Options{})
	for domain, want := range map[string]func(*testing.T, registrar.Registration){
		"yunqi-tech.com": func(t *testing.T, r registrar.Registration) {
			assert.Equal(t, registrar.SandboxRegistrar, r.Registrar)
			assert.Equal(t, registrar.RealNameVerified, r.RealName)
			assert.True(t, r.ValidFor(now, 365))
			assert.False(t, r.OnHold())
		},
		"expiring-yunqi.com": func(t *testing.T, r registrar.Registration) { assert.False(t, r.ValidFor(now, 30)) },
		"foreign-yunqi.com": func(t *testing.T, r registrar.Registration) {
			assert.Equal(t, registrar.SandboxForeignRegistrar, r.Registrar)
		},
		"unverified-yunqi.com": func(t *testing.T, r registrar.Registration) {
			assert.Equal(t, registrar.RealNamePending, r.RealName)
		},
		"onhold-yunqi.com": func(t *testing.T, r registrar.Registration) { assert.True(t, r.OnHold()) },
		"otherholder-yunqi.com": func(t *testing.T, r registrar.Registration) {
			assert.Equal(t, registrar.SandboxOtherHolder, r.Registrant)
		},
	} {
		t.Run(domain, func(t *testing.T) {
			r, err := c.Lookup(ctx, domain)
			require.NoError(t, err)
			direct, err := sb.Lookup(ctx, domain)
			require.NoError(t, err)
			assert.Equal(t, direct.Registered.UTC(), r.Registered.UTC(), "the protocol carries what the sandbox says")
			want(t, r)
		})
	}
	_, err = c.Lookup(ctx, "unregistered-yunqi.com")
	assert.ErrorIs(t, err, registrar.ErrNotRegistered)
	sb.Set("taken.com", &registrar.Registration{Domain: "taken.com", Registrant: "杭州另一家科技有限公司", Status: []string{"clientHold"}})
	r, err := c.Lookup(ctx, "taken.com")
	require.NoError(t, err)
	assert.Equal(t, "杭州另一家科技有限公司", r.Registrant)
	assert.True(t, r.OnHold(), "clientHold reads as RDAP's client hold")
}

// BEIANFLOW_RDAP_URL names one service, or IANA's bootstrap file.
func TestTheRegistryConfigurationIsOneServiceOrIANAsBootstrapFile(t *testing.T) {
	c, err := registrar.Open("file:testdata/iana-dns-bootstrap-2017-03-15.json", httpcall.Options{})
	require.NoError(t, err)
	_, err = c.Lookup(context.Background(), "example.cn")
	assert.ErrorContains(t, err, "no RDAP service for example.cn")
	_, err = registrar.Open("file:testdata/missing.json", httpcall.Options{})
	assert.Error(t, err)
	_, err = registrar.Open("http://127.0.0.1:7080/rdap", httpcall.Options{})
	assert.NoError(t, err)
}
