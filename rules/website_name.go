package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/beianflow/beianflow/filing"
)

// checkWebsiteName applies the naming rules reviewers enforce; the word
// lists and limits come from the rule set.
func (v *validator) checkWebsiteName(prefix string, w *filing.Website, d Domain, domainOK bool) {
	raw := w.Name
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
	if slices.Contains(v.pr.genericNames, name) {
		v.add(field, CodeNameGeneric)
	}
	personalFound := ""
	if s.Nature.Personal() {
		if personalFound = containedWords(name, v.pr.personalWords); personalFound != "" {
			v.add(field, CodeNamePersonalWord, personalFound)
		}
		if v.pr.noPersonName && v.namesPerson(name, w) {
			v.add(field, CodeNamePersonName)
		}
		if v.pr.noPlaceName {
			if found := joinWords(containedWords(name, provinceNames), containedWords(name, v.pr.placeNames)); found != "" {
				v.add(field, CodeNamePlaceName, found)
			}
		}
	}
	v.checkRegulatedWords(field, name, w, personalFound)

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

// checkRegulatedWords reports names that say the site carries regulated
// content (新闻, 论坛 …) without declaring it. An individual cannot hold
// the pre-approval at all, so they are told that instead; a word already
// refused as a personal-site word is not reported twice.
func (v *validator) checkRegulatedWords(field, name string, w *filing.Website, personalFound string) {
	personal := v.app.Subject.Nature.Personal()
	for _, rw := range v.pr.regulatedWords {
		if !strings.Contains(name, rw.Word) || strings.Contains(personalFound, rw.Word) {
			continue
		}
		switch {
		case personal && v.pr.personalNoPreApproval && v.pr.preApprovalNeed[rw.Content]:
			v.add(field, CodeContentPreApprovalPersonal, rw.Content.Label())
		case !slices.Contains(w.ContentTypes, rw.Content):
			v.add(field, CodeNameRegulatedWord, rw.Word, rw.Content.Label())
		}
	}
}

// namesPerson reports whether name contains the name of the subject's
// leader or of the website's responsible person. Single characters are
// skipped: a one-character name would match half of all website names.
func (v *validator) namesPerson(name string, w *filing.Website) bool {
	for _, p := range []string{v.app.Subject.Leader.Name, v.app.Subject.Name, w.Responsible.Name} {
		if p = strings.TrimSpace(p); utf8.RuneCountInString(p) >= 2 && strings.Contains(name, p) {
			return true
		}
	}
	return false
}

// provinceNames are the place names every province list starts from: the
// provinces' own names, which their longer forms (浙江省, 广西壮族自治区)
// contain.
var provinceNames = func() []string {
	out := make([]string, len(provinces))
	for i, p := range provinces {
		out[i] = p.Name
	}
	return out
}()

func joinWords(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "、" + b
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
