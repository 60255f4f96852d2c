package rules

import (
	"strings"

	"github.com/beianflow/beianflow/filing"
)

// Mobile is a mainland mobile number normalised to its 11 digits.
type Mobile string

// String returns the 11 digits.
func (m Mobile) String() string { return string(m) }

// E164 returns the number with the +86 country code.
func (m Mobile) E164() string { return "+86" + string(m) }

// ParseMobile parses a mainland mobile number: 11 digits starting with 13–19,
// optionally prefixed by +86 or 0086, with spaces or hyphens as separators.
// Errors are *FormatError.
func ParseMobile(s string) (Mobile, error) {
	var buf [20]byte
	n := 0
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		if !strings.HasPrefix(rest, "86") {
			return "", formatErr(CodeMobileFormat)
		}
		s = "00" + rest
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-':
		case isDigit(c) && n < len(buf):
			buf[n] = c
			n++
		default:
			return "", formatErr(CodeMobileFormat)
		}
	}
	d := string(buf[:n])
	if len(d) == 15 && strings.HasPrefix(d, "0086") {
		d = d[4:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", formatErr(CodeMobileFormat)
	}
	return Mobile(d), nil
}

// sameMobile reports whether a and b are the same valid mobile number in any
// notation; invalid numbers never match so that format problems are
// reported once, by the format check.
func sameMobile(a, b string) bool {
	ma, errA := ParseMobile(a)
	mb, errB := ParseMobile(b)
	return errA == nil && errB == nil && ma == mb
}

// ParseEmail checks an address of the form local@domain and returns it with
// the domain in lower-case ASCII (punycode for IDNs). The local part is
// limited to RFC 5322 dot-atoms; quoted local parts are not accepted by
// filing systems. Errors are *FormatError.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at > 64 || len(s) > 254 {
		return "", formatErr(CodeEmailFormat)
	}
	local, host := s[:at], s[at+1:]
	if !isDotAtom(local) {
		return "", formatErr(CodeEmailFormat)
	}
	ascii, ok := asciiHost(host)
	if !ok || !strings.Contains(ascii, ".") {
		return "", formatErr(CodeEmailFormat)
	}
	return local + "@" + ascii, nil
}

// sameEmail compares addresses case-insensitively: mailbox providers treat
// local parts that way in practice, and reviewers do too.
func sameEmail(a, b string) bool {
	ea, errA := ParseEmail(a)
	eb, errB := ParseEmail(b)
	return errA == nil && errB == nil && strings.EqualFold(ea, eb)
}

// isDotAtom reports whether s is an RFC 5322 dot-atom: atext runs separated
// by single dots.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' || isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+/=?^_`{|}~-", rune(c)) {
			return false
		}
	}
	return true
}

// checkResponsible checks a website's responsible person and the contact
// rules relating them to the subject leader and the emergency phone.
func (v *validator) checkResponsible(prefix string, w *filing.Website) {
	s := &v.app.Subject
	leader := &s.Leader
	org := s.Nature.Valid() && !s.Nature.Personal()
	resp := &w.Responsible
	samePerson := w.ResponsibleSameAsLeader
	if samePerson {
		resp = leader
	} else {
		v.checkPerson(prefix+".responsible", resp)
		samePerson = resp.IDNumber != "" && resp.IDType == leader.IDType &&
			sameCertificateNumber(resp.IDNumber, leader.IDNumber)
	}
	switch {
	case samePerson && org && v.pr.responsibleDistinct:
		field := prefix + ".responsible.id_number"
		if w.ResponsibleSameAsLeader {
			field = prefix + ".responsible_same_as_leader"
		}
		v.add(field, CodeResponsibleSameAsLeader)
	case !samePerson && v.pr.distinctContacts:
		if sameMobile(resp.Mobile, leader.Mobile) {
			v.add(prefix+".responsible.mobile", CodeSharedMobile)
		}
		if sameEmail(resp.Email, leader.Email) {
			v.add(prefix+".responsible.email", CodeSharedEmail)
		}
	}
	if v.pr.emergencyDistinct && !v.emergencyReported && sameMobile(s.EmergencyPhone, resp.Mobile) {
		v.add("subject.emergency_phone", CodeEmergencySameAsResponsible)
		v.emergencyReported = true
	}
}
