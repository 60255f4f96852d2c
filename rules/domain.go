package rules

import (
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// hostProfile maps user input the way browsers look names up (case and
// width folding, so "ＥＸＡＭＰＬＥ．ｃｏｍ" works) and enforces LDH labels,
// the Bidi rule and DNS length limits.
var hostProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// asciiHost converts a host name to lower-case ASCII and accepts it only if
// the conversion round-trips through Unicode, so every name has exactly one
// ASCII and one Unicode spelling.
func asciiHost(s string) (string, bool) {
	ascii, err := hostProfile.ToASCII(s)
	if err != nil || ascii == "" {
		return "", false
	}
	if strings.Contains(ascii, "xn--") { // LDH-only names round-trip trivially
		uni, err := hostProfile.ToUnicode(ascii)
		if err != nil {
			return "", false
		}
		if again, err := hostProfile.ToASCII(uni); err != nil || again != ascii {
			return "", false
		}
	}
	last := ascii[strings.LastIndexByte(ascii, '.')+1:]
	if allDigits(last) {
		return "", false // an IP address or a numeric TLD, neither is a name
	}
	return ascii, true
}

// Domain is a parsed domain name.
type Domain struct {
	// ASCII is the lower-case ASCII (punycode) form, e.g. "xn--fiqs8s".
	ASCII string `json:"ascii"`
	// Unicode is the display form, e.g. "中国".
	Unicode string `json:"unicode"`
	// Registrable is the ICANN eTLD+1 in ASCII: what a registrar sells and
	// what MIIT files. Equal to ASCII unless ASCII is a subdomain.
	Registrable string `json:"registrable"`
	// TLD is the last label in ASCII.
	TLD string `json:"tld"`
}

// String returns the ASCII form.
func (d Domain) String() string { return d.ASCII }

// IsRegistrable reports whether the name is itself an eTLD+1 and so can be
// filed; subdomains are covered by the filing of their registrable domain.
func (d Domain) IsRegistrable() bool { return d.ASCII != "" && d.ASCII == d.Registrable }

// listSeparators are what users type between several domains.
const listSeparators = ",;，；、 \t\n"

// ParseDomain parses a domain name given in Unicode or punycode, in any
// case, with an optional trailing dot. Subdomains parse successfully; see
// IsRegistrable. Errors are *FormatError.
func ParseDomain(s string) (Domain, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, listSeparators) {
		return Domain{}, formatErr(CodeDomainMultiple)
	}
	if strings.ContainsAny(s, "/:@?#") {
		return Domain{}, formatErr(CodeDomainSyntax)
	}
	s = strings.TrimSuffix(s, ".")
	ascii, ok := asciiHost(s)
	if !ok || !strings.Contains(ascii, ".") {
		return Domain{}, formatErr(CodeDomainSyntax)
	}
	uni := ascii
	if strings.Contains(ascii, "xn--") {
		uni, _ = hostProfile.ToUnicode(ascii) // cannot fail: asciiHost checked it
	}
	suffix := icannSuffix(ascii)
	if suffix == ascii {
		return Domain{}, formatErr(CodeDomainPublicSuffix, uni)
	}
	rest := ascii[:len(ascii)-len(suffix)-1]
	registrable := rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix
	return Domain{
		ASCII:       ascii,
		Unicode:     uni,
		Registrable: registrable,
		TLD:         ascii[strings.LastIndexByte(ascii, '.')+1:],
	}, nil
}

// icannSuffix returns the public suffix of an ASCII name under ICANN rules
// only. Private-section suffixes such as github.io are skipped because the
// registrar sells github.io itself and that is what gets filed.
func icannSuffix(ascii string) string {
	name := ascii
	for {
		suffix, icann := publicsuffix.PublicSuffix(name)
		if icann {
			return suffix
		}
		dot := strings.IndexByte(suffix, '.')
		if dot < 0 {
			return suffix // unlisted TLD: the default rule "*"
		}
		name = suffix[dot+1:]
	}
}

// checkDomain parses a website's domain and applies the TLD rules. It
// returns the domain and whether it parsed, for the checks that compare
// other fields with it.
func (v *validator) checkDomain(prefix, raw string) (Domain, bool) {
	if !v.required(prefix, "domain", raw) {
		return Domain{}, false
	}
	d, err := ParseDomain(raw)
	if err != nil {
		v.addFormat(join(prefix, "domain"), formatOf(err))
		return Domain{}, false
	}
	if !d.IsRegistrable() {
		reg, _ := hostProfile.ToUnicode(d.Registrable)
		v.add(join(prefix, "domain"), CodeDomainNotRegistrable, reg)
	}
	tld := d.Unicode[strings.LastIndexByte(d.Unicode, '.')+1:]
	nature := v.app.Subject.Nature
	switch {
	case v.pr.approvedTLDs.ascii != nil && !v.pr.approvedTLDs.has(d.TLD):
		v.add(join(prefix, "domain"), CodeDomainTLDNotApproved, tld)
	case v.pr.tldWhitelist.ascii != nil && !v.pr.tldWhitelist.has(d.TLD):
		v.add(join(prefix, "domain"), CodeDomainTLDNotAllowedInProvince, tld)
	default:
		if set, listed := v.pr.natureTLDs[nature]; listed && !set.has(d.TLD) {
			v.add(join(prefix, "domain"), CodeDomainTLDNotAllowedForNature, nature.Label(), "."+strings.Join(set.display, "、."))
		}
	}
	return d, true
}
