package rules

import (
	"strings"
	"unicode"
)

// checkWebsiteName applies the naming rules reviewers enforce; the word
// lists and limits come from the rule set.
func (v *validator) checkWebsiteName(prefix, raw string, d Domain, domainOK bool) {
	if !v.required(prefix, "name", raw) {
		return
	}
	field := join(prefix, "name")
	name := strings.TrimSpace(raw)
	if domainOK && isDomainName(name, d) {
		v.add(field, CodeNameIsDomain)
		return
	}
	v.checkNameCharacters(field, name)
	if found := containedWords(name, v.pr.forbiddenWords); found != "" {
		v.add(field, CodeNameForbiddenWord, found)
	}
	s := &v.app.Subject
	if !s.Nature.Valid() {
		return
	}
	if s.Nature.Personal() {
		if found := containedWords(name, v.pr.personalWords); found != "" {
			v.add(field, CodeNamePersonalWord, found)
		}
	}
	if r := v.pr.statePrefixes; !r.exempt(s.Nature) {
		for _, p := range r.Prefixes {
			// An organisation whose registered name starts with the word
			// (中国移动…) may use it; the rule targets borrowed authority.
			if strings.HasPrefix(name, p) && !strings.HasPrefix(strings.TrimSpace(s.Name), p) {
				v.add(field, CodeNameStatePrefix, p)
				break
			}
		}
	}
}

// checkNameCharacters checks the character classes: Chinese characters,
// Latin letters and digits, and the allowed symbols.
func (v *validator) checkNameCharacters(field, name string) {
	han, latin := 0, 0
	var bad []rune
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			latin++
		case strings.ContainsRune(v.pr.nameSymbols, r):
		default:
			if !containsRune(bad, r) {
				bad = append(bad, r)
			}
		}
	}
	if len(bad) > 0 {
		allowed := v.pr.nameSymbols
		if allowed == "" {
			allowed = "—"
		}
		v.add(field, CodeNameSpecialSymbol, string(bad), allowed)
	}
	switch {
	case han == 0 && latin > 0:
		v.add(field, CodeNameOnlyLatinOrDigits)
	case han < v.pr.nameMinHan:
		v.add(field, CodeNameTooShort, v.pr.nameMinHan)
	}
}

// isDomainName reports whether name is d itself, with or without "www.".
func isDomainName(name string, d Domain) bool {
	if len(name) > 4 && strings.EqualFold(name[:4], "www.") {
		name = name[4:]
	}
	return strings.EqualFold(name, d.ASCII) || name == d.Unicode
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// containedWords returns the words of list found in s, joined for display,
// or "" if none is.
func containedWords(s string, list []string) string {
	var found []string
	for _, w := range list {
		if strings.Contains(s, w) {
			found = append(found, w)
		}
	}
	return strings.Join(found, "、")
}
