package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/beianflow/beianflow/filing"
)

// ageRule is a minimum age, optionally differing by subject nature: Hebei
// sets 18 for personal filings only, for example.
type ageRule struct {
	all, organization int  // organization applies to every non-personal nature; 0: all
	hasAll            bool // all was given; else a province's rule keeps the national one
	byNature          map[filing.SubjectNature]int
}

// refine lays a province's rule over the national one: what the province
// sets wins, what it leaves out stays national (Hebei sets only personal).
func (r ageRule) refine(by ageRule) ageRule {
	out := ageRule{all: r.all, hasAll: r.hasAll, organization: r.organization,
		byNature: make(map[filing.SubjectNature]int, len(r.byNature)+len(by.byNature))}
	if by.hasAll {
		// A province age for everyone replaces the national rule whole.
		out.all, out.hasAll, out.organization = by.all, true, 0
	} else {
		maps.Copy(out.byNature, r.byNature)
	}
	if by.organization > 0 {
		out.organization = by.organization
	}
	maps.Copy(out.byNature, by.byNature)
	return out
}

// of returns the minimum age for persons named by a subject of nature n.
func (r ageRule) of(n filing.SubjectNature) int {
	if age, ok := r.byNature[n]; ok {
		return age
	}
	if r.organization > 0 && n.Valid() && !n.Personal() {
		return r.organization
	}
	return r.all
}

// decodeAgeRule accepts an age (16) or an object of ages by nature, with
// "organization" for every nature but personal and an optional "default"
// ({"default": 16, "personal": 18}).
func decodeAgeRule(raw json.RawMessage) (ageRule, error) {
	age := intIn(0, 100)
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		n, err := age(raw)
		return ageRule{all: n, hasAll: true}, err
	}
	var m map[string]json.RawMessage
	if err := decodeStrict(raw, &m); err != nil {
		return ageRule{}, err
	}
	r := ageRule{byNature: make(map[filing.SubjectNature]int, len(m))}
	for key, v := range m {
		n, err := age(v)
		if err != nil {
			return ageRule{}, fmt.Errorf("%s: %w", key, err)
		}
		switch key {
		case "default":
			r.all, r.hasAll = n, true
			continue
		case "organization":
			r.organization = n
			continue
		}
		if nature := filing.SubjectNature(key); nature.Valid() {
			r.byNature[nature] = n
			continue
		}
		return ageRule{}, fmt.Errorf("%q is neither \"default\", \"organization\" nor a subject nature", key)
	}
	return r, nil
}

// decodeNatures accepts a non-empty list of subject natures.
func decodeNatures(raw json.RawMessage) (map[filing.SubjectNature]bool, error) {
	set, err := decodeSet(raw, func(n filing.SubjectNature) error {
		if !n.Valid() {
			return fmt.Errorf("unknown subject nature %q", n)
		}
		return nil
	})
	if err == nil && len(set) == 0 {
		err = errors.New("nature list is empty")
	}
	return set, err
}

// decodeSet decodes a list of values into a set, checking each.
func decodeSet[T comparable](raw json.RawMessage, check func(T) error) (map[T]bool, error) {
	var list []T
	if err := decodeStrict(raw, &list); err != nil {
		return nil, err
	}
	set := make(map[T]bool, len(list))
	for _, v := range list {
		if err := check(v); err != nil {
			return nil, err
		}
		set[v] = true
	}
	return set, nil
}

// union returns the TLDs of s and t; it copies, because both sets are
// shared with the rule set's decoded entries.
func (s tldSet) union(t tldSet) tldSet {
	if len(s.ascii) == 0 {
		return t
	}
	out := tldSet{ascii: make(map[string]bool, len(s.ascii)+len(t.ascii)), display: make([]string, 0, len(s.display)+len(t.display))}
	for _, set := range []tldSet{s, t} {
		for _, l := range set.display {
			a, _ := hostProfile.ToASCII(l) // validated at load
			if !out.ascii[a] {
				out.ascii[a] = true
				out.display = append(out.display, l)
			}
		}
	}
	return out
}

// Registrar is a domain registrar as the rule data lists MIIT's approved
// ones (工信部批准的域名注册服务机构).
type Registrar struct {
	// Name is the registrar's registered name.
	Name string `json:"name"`
	// IANAID is its IANA registrar ID, for gTLD registrations; empty for
	// registrars accredited only by CNNIC.
	IANAID string `json:"iana_id,omitempty"`
	// Aliases are other names RDAP and WHOIS show for it (brands, English
	// names), matched like Name.
	Aliases []string `json:"aliases,omitempty"`
}

// registrarSet is the list of approved registrars, matched by IANA ID or by
// name.
type registrarSet struct {
	byID  map[string]bool
	names []string // lower case
}

func (s registrarSet) empty() bool { return len(s.byID) == 0 && len(s.names) == 0 }

// approves reports whether the registrar given by IANA ID and name is
// listed. RDAP servers name registrars inconsistently ("阿里云计算有限公司
// （万网）", "Alibaba Cloud Computing Ltd. d/b/a HiChina (www.net.cn)"), so a
// name matches when it contains a listed name or alias.
func (s registrarSet) approves(ianaID, name string) bool {
	if ianaID != "" && s.byID[ianaID] {
		return true
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return false
	}
	for _, n := range s.names {
		if strings.Contains(name, n) {
			return true
		}
	}
	return false
}

func (s registrarSet) union(t registrarSet) registrarSet {
	if s.empty() {
		return t
	}
	out := registrarSet{byID: make(map[string]bool, len(s.byID)+len(t.byID)), names: make([]string, 0, len(s.names)+len(t.names))}
	for _, set := range []registrarSet{s, t} {
		for id := range set.byID {
			out.byID[id] = true
		}
		out.names = append(out.names, set.names...)
	}
	return out
}

func decodeRegistrars(raw json.RawMessage) (registrarSet, error) {
	var list []Registrar
	if err := decodeStrict(raw, &list); err != nil {
		return registrarSet{}, err
	}
	if len(list) == 0 {
		return registrarSet{}, errors.New("registrar list is empty")
	}
	s := registrarSet{byID: map[string]bool{}}
	for _, r := range list {
		if strings.TrimSpace(r.Name) == "" {
			return registrarSet{}, errors.New("a registrar has no name")
		}
		if r.IANAID != "" {
			if strings.Trim(r.IANAID, "0123456789") != "" || s.byID[r.IANAID] {
				return registrarSet{}, fmt.Errorf("registrar %s: IANA ID %q is not a number or is listed twice", r.Name, r.IANAID)
			}
			s.byID[r.IANAID] = true
		}
		for _, n := range append([]string{r.Name}, r.Aliases...) {
			// Short names would match inside unrelated ones.
			if len([]rune(strings.TrimSpace(n))) < 4 {
				return registrarSet{}, fmt.Errorf("registrar %s: name %q is shorter than 4 characters", r.Name, n)
			}
			s.names = append(s.names, strings.ToLower(strings.TrimSpace(n)))
		}
	}
	return s, nil
}

// regulatedWord is a word whose presence in a website name says the site
// carries a regulated content type: a site named 新闻 is a news site
// whatever content it declares.
type regulatedWord struct {
	Word    string             `json:"word"`
	Content filing.ContentType `json:"content"`
}

func decodeRegulatedWords(raw json.RawMessage) ([]regulatedWord, error) {
	var list []regulatedWord
	if err := decodeStrict(raw, &list); err != nil {
		return nil, err
	}
	words := make([]string, len(list))
	for i, w := range list {
		if !w.Content.Valid() {
			return nil, fmt.Errorf("word %q: unknown content type %q", w.Word, w.Content)
		}
		words[i] = w.Word
	}
	return list, checkWords(words)
}
