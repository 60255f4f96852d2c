package rules

import (
	"net/url"
	"strings"
)

// checkHomepage checks that the homepage is an http(s) URL on the filed
// domain or one of its subdomains. A missing scheme is read as http://,
// because filing forms show examples like "www.example.com".
func (v *validator) checkHomepage(prefix, raw string, d Domain, domainOK bool) {
	if !v.required(prefix, "homepage_url", raw) {
		return
	}
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.User != nil {
		v.add(join(prefix, "homepage_url"), CodeHomepageInvalid)
		return
	}
	host, ok := asciiHost(u.Hostname())
	if !ok {
		v.add(join(prefix, "homepage_url"), CodeHomepageInvalid)
		return
	}
	if domainOK && host != d.ASCII && !strings.HasSuffix(host, "."+d.ASCII) {
		v.add(join(prefix, "homepage_url"), CodeHomepageHostMismatch, d.Unicode)
	}
}
