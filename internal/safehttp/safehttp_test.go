package safehttp_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/safehttp"
)

func TestAddressesOfOurOwnNetworkAreBlockedAndPublicOnesAreNot(t *testing.T) {
	for addr, blocked := range map[string]bool{
		// Public servers a customer may run.
		"8.8.8.8":              false,
		"1.1.1.1":              false,
		"203.0.114.1":          false, // just past TEST-NET-3
		"172.32.0.1":           false, // just past 172.16/12
		"100.128.0.1":          false, // just past CGNAT
		"2606:4700:4700::1111": false,
		"2400:3200::1":         false,
		"::ffff:8.8.8.8":       false, // IPv4-mapped public
		"64:ff9b::808:808":     false, // NAT64 of 8.8.8.8, for IPv6-only hosts
		"2002:808:808::1":      false, // 6to4 of 8.8.8.8

		// Loopback.
		"127.0.0.1":       true,
		"127.255.255.254": true,
		"::1":             true,
		// Private.
		"10.0.0.1":       true,
		"172.16.0.1":     true,
		"172.31.255.255": true,
		"192.168.1.1":    true,
		"fc00::1":        true,
		"fd12:3456::1":   true,
		// Link-local, and the cloud metadata service.
		"169.254.169.254": true,
		"169.254.0.1":     true,
		"fe80::1":         true,
		"fe80::1%eth0":    true,
		// Carrier-grade NAT.
		"100.64.0.1":      true,
		"100.127.255.255": true,
		// Unspecified: connecting to it reaches this host.
		"0.0.0.0": true,
		"0.1.2.3": true,
		"::":      true,
		// Multicast and broadcast.
		"224.0.0.1":       true,
		"239.255.255.250": true,
		"ff02::1":         true,
		"255.255.255.255": true,
		"240.0.0.1":       true,
		// Benchmarking and documentation.
		"198.18.0.1":   true,
		"198.19.255.1": true,
		"192.0.2.1":    true,
		"198.51.100.1": true,
		"203.0.113.1":  true,
		"2001:db8::1":  true,
		// IPv4 inside IPv6: IPv4-mapped, NAT64, 6to4, IPv4-compatible.
		"::ffff:127.0.0.1":       true,
		"::ffff:169.254.169.254": true,
		"::ffff:10.0.0.1":        true,
		"64:ff9b::7f00:1":        true,
		"64:ff9b::a9fe:a9fe":     true,
		"64:ff9b:1::808:808":     true, // local-use NAT64 goes who knows where
		"2002:7f00:1::":          true,
		"::127.0.0.1":            true,
		"2001::1":                true, // Teredo
	} {
		t.Run(addr, func(t *testing.T) {
			assert.Equal(t, blocked, safehttp.Blocked(netip.MustParseAddr(addr)))
		})
	}
	assert.True(t, safehttp.Blocked(netip.Addr{}), "the zero Addr is no address to call")
}

func TestCheckURLAcceptsAPublicHTTPSEndpoint(t *testing.T) {
	for _, raw := range []string{
		"https://hooks.example.com/beian",
		"https://hooks.example.com:8443/beian?token=abc",
		"https://8.8.8.8/hook",
		"https://[2606:4700:4700::1111]/hook",
		"HTTPS://Hooks.Example.COM/x",
	} {
		t.Run(raw, func(t *testing.T) {
			u, err := safehttp.CheckURL(raw, safehttp.Options{})

			require.NoError(t, err)
			assert.Equal(t, "https", u.Scheme)
		})
	}
}

func TestCheckURLRefusesEndpointsWeMustNotCall(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      error
	}{
		{"plain http", "http://hooks.example.com/beian", safehttp.ErrInvalidURL},
		{"relative", "/beian/hook", safehttp.ErrInvalidURL},
		{"no scheme", "hooks.example.com/beian", safehttp.ErrInvalidURL},
		{"other scheme", "ftp://hooks.example.com/beian", safehttp.ErrInvalidURL},
		{"file", "file:///etc/passwd", safehttp.ErrInvalidURL},
		{"opaque", "https:hooks.example.com", safehttp.ErrInvalidURL},
		{"user info", "https://admin:hunter2@hooks.example.com/", safehttp.ErrInvalidURL},
		{"user only", "https://admin@hooks.example.com/", safehttp.ErrInvalidURL},
		{"fragment", "https://hooks.example.com/beian#part", safehttp.ErrInvalidURL},
		{"empty fragment", "https://hooks.example.com/beian#", safehttp.ErrInvalidURL},
		{"no host", "https:///beian", safehttp.ErrInvalidURL},
		{"port only", "https://:443/beian", safehttp.ErrInvalidURL},
		{"port zero", "https://hooks.example.com:0/", safehttp.ErrInvalidURL},
		{"port too big", "https://hooks.example.com:70000/", safehttp.ErrInvalidURL},
		{"unparseable", "https://hooks.example.com/%zz", safehttp.ErrInvalidURL},
		{"too long", "https://hooks.example.com/" + strings.Repeat("a", 2048), safehttp.ErrInvalidURL},
		{"decimal IPv4", "https://2130706433/", safehttp.ErrInvalidURL},
		{"short IPv4", "https://127.1/", safehttp.ErrInvalidURL},
		{"hex IPv4", "https://0x7f.0x1/", safehttp.ErrInvalidURL},
		{"loopback", "https://127.0.0.1/", safehttp.ErrBlockedAddress},
		{"metadata service", "https://169.254.169.254/latest/meta-data/", safehttp.ErrBlockedAddress},
		{"private", "https://10.1.2.3:8443/hook", safehttp.ErrBlockedAddress},
		{"IPv6 loopback", "https://[::1]/", safehttp.ErrBlockedAddress},
		{"IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/", safehttp.ErrBlockedAddress},
		{"link-local with zone", "https://[fe80::1%25eth0]/", safehttp.ErrBlockedAddress},
		{"localhost", "https://localhost:8443/", safehttp.ErrBlockedAddress},
		{"localhost with a dot", "https://LOCALHOST./", safehttp.ErrBlockedAddress},
		{"under localhost", "https://api.localhost/", safehttp.ErrBlockedAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := safehttp.CheckURL(tc.raw, safehttp.Options{})

			require.ErrorIs(t, err, tc.want)
			for _, secret := range []string{"hunter2", "meta-data", "%zz", "part"} {
				if strings.Contains(tc.raw, secret) {
					assert.NotContains(t, err.Error(), secret, "the error must not repeat the URL")
				}
			}
		})
	}
}

func TestCheckURLAllowsHTTPAndPrivateHostsOnlyWhenAskedTo(t *testing.T) {
	_, err := safehttp.CheckURL("http://127.0.0.1:8080/hook", safehttp.Options{AllowHTTP: true})
	assert.ErrorIs(t, err, safehttp.ErrBlockedAddress)

	_, err = safehttp.CheckURL("http://127.0.0.1:8080/hook", safehttp.Options{AllowPrivate: true})
	assert.ErrorIs(t, err, safehttp.ErrInvalidURL, "private does not imply plain http")

	u, err := safehttp.CheckURL("http://localhost:8080/hook", safehttp.Options{AllowHTTP: true, AllowPrivate: true})
	require.NoError(t, err)
	assert.Equal(t, "localhost:8080", u.Host)
}

// server starts a server on 127.0.0.1, closed when the test ends.
func server(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func ok() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
}

func TestAServerOnLoopbackIsRefusedAtConnectTime(t *testing.T) {
	var reached atomic.Bool
	srv := server(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reached.Store(true) }))
	client := safehttp.NewClient(safehttp.Options{AllowHTTP: true})

	resp, err := client.Post(srv.URL+"/hook", "application/json", strings.NewReader(`{}`))
	safehttp.DrainAndClose(resp)

	require.ErrorIs(t, err, safehttp.ErrBlockedAddress)
	var urlErr *url.Error
	require.ErrorAs(t, err, &urlErr, "the client's usual error type, for callers that log it")
	assert.False(t, reached.Load(), "not one byte may reach the server")
}

func TestAServerOnLoopbackIsReachedWhenPrivateAddressesAreAllowed(t *testing.T) {
	srv := server(t, ok())
	client := safehttp.NewClient(safehttp.Options{AllowHTTP: true, AllowPrivate: true})

	resp, err := client.Get(srv.URL + "/hook")
	require.NoError(t, err)
	defer safehttp.DrainAndClose(resp)

	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestAHostNameThatResolvesToLoopbackIsRefusedAtConnectTime(t *testing.T) {
	// CheckURL would refuse "localhost" by name; a customer's own domain
	// pointing at 127.0.0.1, or rebinding to it after CheckURL, reaches
	// the client as a name like this one.
	srv := server(t, ok())
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	client := safehttp.NewClient(safehttp.Options{AllowHTTP: true})

	resp, err := client.Get("http://localhost:" + port + "/hook")
	safehttp.DrainAndClose(resp)

	assert.ErrorIs(t, err, safehttp.ErrBlockedAddress)
}

func TestARedirectIsNotFollowedAndThe302IsReturned(t *testing.T) {
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, _ *http.Request) {
		followed.Store(true)
	})
	srv := server(t, mux)
	client := safehttp.NewClient(safehttp.Options{AllowHTTP: true, AllowPrivate: true})

	resp, err := client.Post(srv.URL+"/hook", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	defer safehttp.DrainAndClose(resp)

	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "/elsewhere", resp.Header.Get("Location"))
	assert.False(t, followed.Load())
}

func TestAnEndpointSlowerThanTheTimeoutFailsAsATimeout(t *testing.T) {
	srv := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done(): // the client gave up: let srv.Close return
		}
	}))
	client := safehttp.NewClient(safehttp.Options{AllowHTTP: true, AllowPrivate: true, Timeout: 100 * time.Millisecond})

	start := time.Now()
	resp, err := client.Get(srv.URL + "/hook")
	safehttp.DrainAndClose(resp)

	require.Error(t, err)
	var netErr net.Error
	require.True(t, errors.As(err, &netErr), "got %v", err)
	assert.True(t, netErr.Timeout(), "got %v", err)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestTheClientDoesNotUseAProxy(t *testing.T) {
	// A proxy from the environment would be the peer the dial check sees,
	// and would then fetch internal URLs for us.
	t.Setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
	t.Setenv("HTTP_PROXY", "http://proxy.example.com:3128")
	client := safehttp.NewClient(safehttp.Options{})

	transport, isTransport := client.Transport.(*http.Transport)
	require.True(t, isTransport)
	assert.Nil(t, transport.Proxy)
	assert.Equal(t, safehttp.DefaultTimeout, client.Timeout)
}

func TestDrainAndCloseReadsAtMost64KiBAndClosesTheBody(t *testing.T) {
	body := &countingBody{r: strings.NewReader(strings.Repeat("x", 1<<20))}

	safehttp.DrainAndClose(&http.Response{Body: body})

	assert.Equal(t, int64(64<<10), body.read)
	assert.True(t, body.closed)
	assert.NotPanics(t, func() { safehttp.DrainAndClose(nil) })
	assert.NotPanics(t, func() { safehttp.DrainAndClose(&http.Response{}) })
}

type countingBody struct {
	r      io.Reader
	read   int64
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

func (b *countingBody) Close() error {
	b.closed = true
	return nil
}
