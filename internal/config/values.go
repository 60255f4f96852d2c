package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The parsers below validate one value and store it in dst only when it is
// valid. Their errors say what the value must be, in words an operator can
// act on; Load prefixes the variable's name and value.

// nonEmpty is for settings that have no "off": a name or path that the
// system cannot run without.
func nonEmpty(v string, dst *string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*dst = v
	return nil
}

// hostPort accepts a listen or dial address. Port 0 is allowed: to listen,
// it asks the kernel for a free port.
func hostPort(v string, dst *string) error {
	if _, p, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("must be host:port: %w", err)
	} else if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be 0-65535")
	}
	*dst = v
	return nil
}

// loopback reports whether host is localhost or a loopback address, where
// plain http cannot be intercepted on the way.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// port accepts a port other processes are told to connect to, so unlike
// hostPort it refuses 0.
func port(v string, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return errors.New("must be a port number 1-65535")
	}
	*dst = n
	return nil
}

// positiveDuration accepts a Go duration above zero: every duration setting
// is a timeout, TTL or interval, where zero or less is never meant (a
// ticker with a zero interval even panics).
func positiveDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("must be a Go duration such as 15s: %w", err)
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*dst = d
	return nil
}

// httpURL accepts an http or https base URL and drops trailing slashes, so
// callers can append "/path" without doubling them.
func httpURL(v string, dst *string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http:// or https:// URL")
	}
	*dst = strings.TrimRight(v, "/")
	return nil
}

// intRange accepts a whole number from lo to hi inclusive.
func intRange(v string, lo, hi int, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	*dst = n
	return nil
}

// window parses "HH:MM-HH:MM"; the closing may be 24:00.
func window(v string) (open, close time.Duration, err error) {
	bad := errors.New("must be HH:MM-HH:MM with the opening before the closing")
	a, b, ok := strings.Cut(v, "-")
	if !ok {
		return 0, 0, bad
	}
	clock := func(s string) (time.Duration, bool) {
		if s == "24:00" {
			return 24 * time.Hour, true
		}
		t, err := time.Parse("15:04", s)
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, err == nil
	}
	open, okA := clock(a)
	close, okB := clock(b)
	if !okA || !okB || open >= close || open >= 24*time.Hour {
		return 0, 0, bad
	}
	return open, close, nil
}

// boolean accepts what strconv.ParseBool does (true, false, 1, 0, t, f, …).
func boolean(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("must be true or false")
	}
	*dst = b
	return nil
}

// validBucket checks the S3 bucket name rules that matter here (3 to 63
// lower-case letters, digits, dots or hyphens) at start, rather than at the
// first upload or at bucket creation.
func validBucket(v string) bool {
	if len(v) < 3 || len(v) > 63 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// commaList splits a comma-separated list, dropping empty entries.
func commaList(v string) []string {
	var out []string
	for a := range strings.SplitSeq(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
