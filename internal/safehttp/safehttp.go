// Package safehttp calls URLs that customers supply, such as their webhook
// endpoints, without letting them reach our own network (server-side
// request forgery): loopback, private and link-local addresses, the cloud
// metadata service at 169.254.169.254, and the other special-purpose
// ranges.
//
// Two checks work together. [CheckURL] refuses a URL up front with a
// reason the customer can act on, when the endpoint is saved. The client
// of [NewClient] refuses at connect time, on the IP address the host name
// resolved to: a name that resolved to a public address when it was saved
// may resolve to 127.0.0.1 on delivery (DNS rebinding), and only the
// connect-time check sees that.
package safehttp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds a whole request, answer included, when
// Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// MaxURLLength is the longest URL CheckURL accepts.
const MaxURLLength = 2048

// drainBytes is how much of an answer DrainAndClose reads: enough to let
// a small answer's connection be reused, too little for a hostile
// endpoint to keep a delivery worker busy.
const drainBytes = 64 << 10

// maxResponseHeaderBytes caps an answer's headers; we read none of them
// beyond the status line and Retry-After.
const maxResponseHeaderBytes = 64 << 10

// ErrBlockedAddress is wrapped by CheckURL for a literal IP address, and
// by the client's requests (through *url.Error and *net.OpError, so
// errors.Is finds it) for a host that resolved to an address Blocked
// refuses. The *net.OpError's text names the resolved address: tell a
// customer the reason by errors.Is, not the error's text, or they learn
// what our resolver answers for internal names.
var ErrBlockedAddress = errors.New("safehttp: address is private or reserved")

// ErrInvalidURL is wrapped by CheckURL for a URL it refuses for its form.
var ErrInvalidURL = errors.New("safehttp: URL not accepted")

// Options configures CheckURL and NewClient. The zero value is the safe
// one for production.
type Options struct {
	// AllowPrivate lets requests reach the addresses Blocked refuses: for
	// development and tests against servers on this machine only.
	AllowPrivate bool
	// AllowHTTP accepts plain http URLs; without it only https, so that
	// filing events are not sent in the clear.
	AllowHTTP bool
	// Timeout bounds a whole request, connecting and reading the answer
	// included; default DefaultTimeout.
	Timeout time.Duration
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// CheckURL parses raw and returns it if a request to it may be made: an
// absolute http(s) URL (https only unless o.AllowHTTP) with a host, no
// user info, no fragment, at most MaxURLLength long, and, when the host is
// a literal IP address, one that Blocked allows (unless o.AllowPrivate).
// Errors wrap ErrInvalidURL or ErrBlockedAddress and say why without
// quoting the URL, whose path or query may carry a customer's token.
//
// A host name is not resolved here (except that "localhost" is refused
// outright): what it resolves to now says nothing about delivery time,
// where NewClient's client checks it.
func CheckURL(raw string, o Options) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrInvalidURL, MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error repeats the whole URL: leave it out.
		return nil, fmt.Errorf("%w: it cannot be parsed as a URL", ErrInvalidURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && o.AllowHTTP:
	case u.Scheme == "http":
		return nil, fmt.Errorf("%w: the scheme must be https", ErrInvalidURL)
	default:
		return nil, fmt.Errorf("%w: the scheme must be https or http, with //host", ErrInvalidURL)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: the scheme must be followed by //host", ErrInvalidURL)
	}
	if u.User != nil {
		// Credentials in a URL end up in logs; customers authenticate us
		// by the signature instead.
		return nil, fmt.Errorf("%w: it must not contain a user name or password", ErrInvalidURL)
	}
	// url.Parse leaves Fragment empty for a trailing "#"; any "#" starts one.
	if strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%w: it must not contain a fragment (#)", ErrInvalidURL)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%w: it has no host", ErrInvalidURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: the port must be 1 to 65535", ErrInvalidURL)
		}
	}
	if o.AllowPrivate {
		return u, nil
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if Blocked(addr) {
			return nil, fmt.Errorf("%w: the host is a loopback, private, link-local or other reserved IP address", ErrBlockedAddress)
		}
		return u, nil
	}
	if numericIPv4Shorthand(host) {
		return nil, fmt.Errorf("%w: the host is neither a host name nor an IP address in dotted form", ErrInvalidURL)
	}
	// Every resolver maps localhost to loopback (RFC 6761); refusing it
	// here tells the customer now rather than at the first delivery.
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return nil, fmt.Errorf("%w: the host is localhost", ErrBlockedAddress)
	}
	return u, nil
}

// numericIPv4Shorthand reports whether host ends in a label that is a
// number, such as "2130706433", "127.1" or "0x7f.1". No top-level domain is
// numeric, but browsers and some resolvers (inet_aton) read these as IPv4
// addresses, so they would slip past the literal-IP check above.
func numericIPv4Shorthand(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := strings.ToLower(host[strings.LastIndex(host, ".")+1:])
	if strings.HasPrefix(last, "0x") {
		return strings.Trim(last[2:], "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// NewClient returns a client for customer URLs. Unless o.AllowPrivate it
// refuses, at connect time, every address Blocked refuses, whatever the
// URL's host resolved to; it ignores proxy settings (a proxy would be the
// peer checked, not the customer's server) and follows no redirect (the
// 3xx answer is returned: a redirect could point anywhere, and the
// specification counts it as a failed delivery). Check the URL with
// CheckURL first, which also enforces https.
func NewClient(o Options) *http.Client {
	timeout := o.timeout()
	dialer := &net.Dialer{
		Timeout:   min(timeout, 5*time.Second),
		KeepAlive: 30 * time.Second,
	}
	if !o.AllowPrivate {
		dialer.Control = refuseBlocked
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true, // a custom DialContext turns HTTP/2 off otherwise
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    min(timeout, 10*time.Second),
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		// Deliveries go to many customers, a few at a time to each:
		// enough idle connections to reuse one per busy endpoint, without
		// holding thousands open.
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// refuseBlocked is the dialer's Control: it runs for each address the
// host resolved to, just before connecting, so it sees the real peer.
func refuseBlocked(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: an address we cannot read is not one we can allow.
		return fmt.Errorf("%w: unreadable %s address", ErrBlockedAddress, network)
	}
	if Blocked(ap.Addr()) {
		return fmt.Errorf("%w: the host resolves to such an address", ErrBlockedAddress)
	}
	return nil
}

// blockedV4 are the IPv4 ranges that are not a customer's public server
// (IANA's special-purpose registry, RFC 6890 and its updates).
var blockedV4 = prefixes(
	"0.0.0.0/8",       // "this network", 0.0.0.0 reaches this host on Linux
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT, often the cloud's internal network
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, including the metadata service 169.254.169.254
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments (DS-Lite, NAT64 discovery)
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including the broadcast 255.255.255.255
)

// blockedV6 are the IPv6 ranges that are not a customer's public server.
// IPv4-mapped addresses, NAT64 and 6to4 are judged by the IPv4 address
// they carry instead (see Blocked).
var blockedV6 = prefixes(
	"::/96",          // unspecified, loopback and the deprecated IPv4-compatible form
	"64:ff9b:1::/48", // local-use NAT64
	"100::/64",       // discard-only
	"2001::/32",      // Teredo: the client address inside is obfuscated
	"2001:2::/48",    // benchmarking
	"2001:10::/28",   // deprecated ORCHID
	"2001:20::/28",   // ORCHIDv2
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local (private)
	"fe80::/10",      // link-local
	"fec0::/10",      // deprecated site-local
	"ff00::/8",       // multicast
)

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixToV4 = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// Blocked reports whether a request must not go to addr: loopback,
// private, link-local (the metadata service), carrier-grade NAT,
// unspecified, multicast, broadcast, benchmarking, documentation and the
// other reserved ranges, in IPv4 or IPv6. An IPv6 address that carries an
// IPv4 one — IPv4-mapped (::ffff:127.0.0.1), NAT64 (64:ff9b::/96) or 6to4
// (2002::/16) — is blocked if that IPv4 address is, since the network
// delivers it there. The invalid zero Addr is blocked.
func Blocked(addr netip.Addr) bool {
	if !addr.IsValid() {
		return true
	}
	// Prefix.Contains never matches an address with a zone, and the zone
	// does not change where the address leads.
	addr = addr.WithZone("").Unmap()
	if addr.Is4() {
		return inAny(blockedV4, addr)
	}
	if nat64.Contains(addr) {
		b := addr.As16()
		return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if sixToV4.Contains(addr) {
		b := addr.As16()
		return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return inAny(blockedV6, addr)
}

func inAny(ps []netip.Prefix, addr netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// DrainAndClose reads at most 64 KiB of resp's body into io.Discard and
// closes it. Draining lets the connection be reused for the next
// delivery; the limit keeps an endpoint that answers endlessly from
// holding the worker. The body is never kept: what a customer's server
// answers is not ours to store. A nil resp or body is fine.
func DrainAndClose(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	// A failed read only means the connection is not reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	_ = resp.Body.Close()
}
