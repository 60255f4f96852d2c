package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/beianflow/beianflow/filing"
)

// kind is one type of rule a data file may set. The set of kinds is code:
// each has a typed decoder that validates values at load time and a setter
// that places the decoded value into ProvinceRules. Which provinces have
// which values is data.
type kind struct {
	name string
	// union kinds merge the national value with the province's (word lists);
	// layered kinds apply the national value, then the province's over it,
	// which refines what it sets; all others are overridden by the
	// province's entry.
	union, layered bool
	decode         func(json.RawMessage) (any, error)
	apply          func(*ProvinceRules, any)
}

func scalar[T any](name string, decode func(json.RawMessage) (T, error), set func(*ProvinceRules, T)) kind {
	return kind{
		name:   name,
		decode: func(raw json.RawMessage) (any, error) { return decode(raw) },
		apply:  func(p *ProvinceRules, v any) { set(p, v.(T)) },
	}
}

func layered[T any](name string, decode func(json.RawMessage) (T, error), refine func(*ProvinceRules, T)) kind {
	k := scalar(name, decode, refine)
	k.layered = true
	return k
}

func union[T any](name string, decode func(json.RawMessage) (T, error), add func(*ProvinceRules, T)) kind {
	k := scalar(name, decode, add)
	k.union = true
	return k
}

// kinds lists every rule kind. The documentation of each value lives in
// data/README.md next to the data.
var kinds = []kind{
	layered("min_age", decodeAgeRule, func(p *ProvinceRules, v ageRule) { p.minAge = p.minAge.refine(v) }),
	scalar("leader_must_be_legal_representative", decodeBool, func(p *ProvinceRules, v bool) { p.leaderLegalRep = v }),
	scalar("responsible_distinct_from_leader", decodeBool, func(p *ProvinceRules, v bool) { p.responsibleDistinct = v }),
	scalar("authorized_leader_is_responsible", decodeBool, func(p *ProvinceRules, v bool) { p.authorizedLeaderResponsible = v }),
	scalar("distinct_contacts", decodeBool, func(p *ProvinceRules, v bool) { p.distinctContacts = v }),
	scalar("emergency_phone_distinct", decodeBool, func(p *ProvinceRules, v bool) { p.emergencyDistinct = v }),
	scalar("address_same_province", decodeBool, func(p *ProvinceRules, v bool) { p.addressSameProvince = v }),
	scalar("address_same_city", decodeBool, func(p *ProvinceRules, v bool) { p.addressSameCity = v }),
	scalar("organization_in_domicile_province", decodeBool, func(p *ProvinceRules, v bool) { p.orgInDomicileProvince = v }),
	scalar("personal_local_id", decodeBool, func(p *ProvinceRules, v bool) { p.personalLocalID = v }),
	scalar("non_local_residence_permit", decodeBool, func(p *ProvinceRules, v bool) { p.residencePermit = v }),
	scalar("local_phone_required", decodeBool, func(p *ProvinceRules, v bool) { p.localPhone = v }),
	scalar("authorization_letter_required", decodeBool, func(p *ProvinceRules, v bool) { p.authorizationLetter = v }),
	scalar("commitment_letter_natures", decodeNatures, func(p *ProvinceRules, v map[filing.SubjectNature]bool) { p.commitmentLetter = v }),
	scalar("house_number_remark", decodeText, func(p *ProvinceRules, v string) { p.houseNumberRemark = v }),
	scalar("personal_remarks_required", decodeBool, func(p *ProvinceRules, v bool) { p.personalRemarks = v }),
	scalar("personal_remark_statement", decodeText, func(p *ProvinceRules, v string) { p.personalStatement = v }),
	scalar("allowed_certificate_types", decodeCertTypesByNature, func(p *ProvinceRules, v map[filing.SubjectNature]map[filing.CertificateType]bool) { p.certTypes = v }),
	scalar("person_id_types", decodePersonIDTypes, func(p *ProvinceRules, v map[filing.CertificateType]bool) { p.personIDTypes = v }),
	scalar("credit_code_prefixes", decodeCreditPrefixes, func(p *ProvinceRules, v map[filing.SubjectNature]map[string]bool) { p.creditPrefixes = v }),
	union("approved_tlds", decodeTLDs, func(p *ProvinceRules, v tldSet) { p.approvedTLDs = p.approvedTLDs.union(v) }),
	union("tld_whitelist", decodeTLDs, func(p *ProvinceRules, v tldSet) { p.tldWhitelist = p.tldWhitelist.union(v) }),
	union("approved_registrars", decodeRegistrars, func(p *ProvinceRules, v registrarSet) { p.registrars = p.registrars.union(v) }),
	scalar("nature_tlds", decodeNatureTLDs, func(p *ProvinceRules, v map[filing.SubjectNature]tldSet) { p.natureTLDs = v }),
	scalar("pre_approval_content_types", decodeContentTypes, func(p *ProvinceRules, v map[filing.ContentType]bool) { p.preApprovalNeed = v }),
	scalar("personal_pre_approval_forbidden", decodeBool, func(p *ProvinceRules, v bool) { p.personalNoPreApproval = v }),
	scalar("personal_forbidden_content_types", decodeContentTypes, func(p *ProvinceRules, v map[filing.ContentType]bool) { p.personalForbidden = v }),
	scalar("website_name_min_han", intIn(0, 20), func(p *ProvinceRules, v int) { p.nameMinHan = v }),
	scalar("website_name_allowed_symbols", decodeString, func(p *ProvinceRules, v string) { p.nameSymbols = v }),
	union("website_name_forbidden_words", decodeWords, func(p *ProvinceRules, v []string) { p.forbiddenWords = appendShared(p.forbiddenWords, v) }),
	union("website_name_personal_words", decodeWords, func(p *ProvinceRules, v []string) { p.personalWords = appendShared(p.personalWords, v) }),
	union("website_name_generic_names", decodeWords, func(p *ProvinceRules, v []string) { p.genericNames = appendShared(p.genericNames, v) }),
	scalar("website_name_personal_no_person_name", decodeBool, func(p *ProvinceRules, v bool) { p.noPersonName = v }),
	scalar("website_name_personal_no_place_name", decodeBool, func(p *ProvinceRules, v bool) { p.noPlaceName = v }),
	union("place_names", decodeWords, func(p *ProvinceRules, v []string) { p.placeNames = appendShared(p.placeNames, v) }),
	scalar("website_name_regulated_words", decodeRegulatedWords, func(p *ProvinceRules, v []regulatedWord) { p.regulatedWords = v }),
	scalar("website_name_state_prefixes", decodeStatePrefixes, func(p *ProvinceRules, v statePrefixRule) { p.statePrefixes = v }),
	scalar("max_websites_per_order", intIn(1, 1000), func(p *ProvinceRules, v int) { p.maxWebsites = v }),
	scalar("max_domains_per_order", intIn(1, 1000), func(p *ProvinceRules, v int) { p.maxDomains = v }),
	scalar("sms_verification", decodeBool, func(p *ProvinceRules, v bool) { p.sms = v }),
	scalar("photo_verification", decodePhotoMode, func(p *ProvinceRules, v PhotoMode) { p.photo = v }),
	scalar("mobile_app_upload", decodeBool, func(p *ProvinceRules, v bool) { p.mobileAppUpload = v }),
	scalar("domain_certificate_required", decodeBool, func(p *ProvinceRules, v bool) { p.domainCertificate = v }),
	scalar("bureau_review_max_business_days", intIn(1, 365), func(p *ProvinceRules, v int) { p.reviewBusinessDays = v }),
	scalar("domain_holder_is_organization", decodeBool, func(p *ProvinceRules, v bool) { p.holderIsOrganization = v }),
	scalar("simplified_chinese_required", decodeBool, func(p *ProvinceRules, v bool) { p.simplifiedChinese = v }),
	scalar("domain_min_validity_days", intIn(0, 3650), func(p *ProvinceRules, v int) { p.domainValidityDays = v }),
}

var kindIndex = func() map[string]int {
	m := make(map[string]int, len(kinds))
	for i, k := range kinds {
		m[k.name] = i
	}
	return m
}()

// appendShared appends without writing into dst's backing array, which is
// shared with the rule set's decoded values.
func appendShared(dst, src []string) []string {
	if len(dst) == 0 {
		return src
	}
	return append(dst[:len(dst):len(dst)], src...)
}

// decodeStrict decodes raw into v, rejecting null and unknown object keys so
// that typos in data files fail loudly.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return errors.New("value is missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func decodeBool(raw json.RawMessage) (bool, error) {
	var b bool
	return b, decodeStrict(raw, &b)
}

func decodeString(raw json.RawMessage) (string, error) {
	var s string
	return s, decodeStrict(raw, &s)
}

func decodeText(raw json.RawMessage) (string, error) {
	s, err := decodeString(raw)
	if err == nil && strings.TrimSpace(s) == "" {
		err = errors.New("text is empty")
	}
	return s, err
}

func intIn(lo, hi int) func(json.RawMessage) (int, error) {
	return func(raw json.RawMessage) (int, error) {
		var n int
		if err := decodeStrict(raw, &n); err != nil {
			return 0, err
		}
		if n < lo || n > hi {
			return 0, fmt.Errorf("%d is outside [%d, %d]", n, lo, hi)
		}
		return n, nil
	}
}

// decodeWords accepts a list of distinct, non-empty words without
// surrounding space; substring matching would misfire on anything else.
func decodeWords(raw json.RawMessage) ([]string, error) {
	var words []string
	if err := decodeStrict(raw, &words); err != nil {
		return nil, err
	}
	return words, checkWords(words)
}

func checkWords(words []string) error {
	if len(words) == 0 {
		return errors.New("word list is empty")
	}
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		if w == "" || strings.TrimSpace(w) != w {
			return fmt.Errorf("word %q is empty or padded", w)
		}
		if seen[w] {
			return fmt.Errorf("word %q is listed twice", w)
		}
		seen[w] = true
	}
	return nil
}

// tldSet is a set of top-level domains in ASCII plus their display forms,
// in data order, for messages.
type tldSet struct {
	ascii   map[string]bool
	display []string
}

func (s tldSet) has(asciiTLD string) bool { return s.ascii[asciiTLD] }

func decodeTLDs(raw json.RawMessage) (tldSet, error) {
	var labels []string
	if err := decodeStrict(raw, &labels); err != nil {
		return tldSet{}, err
	}
	return makeTLDSet(labels)
}

// makeTLDSet converts TLDs written in Unicode (中国) or ASCII to ASCII once
// at load, so that checks compare plain strings.
func makeTLDSet(labels []string) (tldSet, error) {
	if len(labels) == 0 {
		return tldSet{}, errors.New("TLD list is empty")
	}
	s := tldSet{ascii: make(map[string]bool, len(labels)), display: labels}
	for _, l := range labels {
		a, err := hostProfile.ToASCII(l)
		if err != nil || a == "" || strings.Contains(a, ".") {
			return tldSet{}, fmt.Errorf("%q is not a single DNS label", l)
		}
		if s.ascii[a] {
			return tldSet{}, fmt.Errorf("TLD %q is listed twice", l)
		}
		s.ascii[a] = true
	}
	return s, nil
}

func decodeNatureTLDs(raw json.RawMessage) (map[filing.SubjectNature]tldSet, error) {
	var m map[filing.SubjectNature][]string
	if err := decodeStrict(raw, &m); err != nil {
		return nil, err
	}
	out := make(map[filing.SubjectNature]tldSet, len(m))
	for n, labels := range m {
		if !n.Valid() {
			return nil, fmt.Errorf("unknown subject nature %q", n)
		}
		s, err := makeTLDSet(labels)
		if err != nil {
			return nil, fmt.Errorf("nature %q: %w", n, err)
		}
		out[n] = s
	}
	return out, nil
}

func decodeCertTypesByNature(raw json.RawMessage) (map[filing.SubjectNature]map[filing.CertificateType]bool, error) {
	var m map[filing.SubjectNature][]filing.CertificateType
	if err := decodeStrict(raw, &m); err != nil {
		return nil, err
	}
	out := make(map[filing.SubjectNature]map[filing.CertificateType]bool, len(m))
	for n, types := range m {
		if !n.Valid() {
			return nil, fmt.Errorf("unknown subject nature %q", n)
		}
		set := make(map[filing.CertificateType]bool, len(types))
		for _, t := range types {
			if !t.Valid() {
				return nil, fmt.Errorf("nature %q: unknown certificate type %q", n, t)
			}
			if t.Personal() != n.Personal() {
				return nil, fmt.Errorf("nature %q: certificate type %q is for the other kind of subject", n, t)
			}
			set[t] = true
		}
		out[n] = set
	}
	return out, nil
}

func decodePersonIDTypes(raw json.RawMessage) (map[filing.CertificateType]bool, error) {
	return decodeSet(raw, func(t filing.CertificateType) error {
		if !t.Personal() {
			return fmt.Errorf("%q is not a personal identity document", t)
		}
		return nil
	})
}

func decodeCreditPrefixes(raw json.RawMessage) (map[filing.SubjectNature]map[string]bool, error) {
	var m map[filing.SubjectNature][]string
	if err := decodeStrict(raw, &m); err != nil {
		return nil, err
	}
	out := make(map[filing.SubjectNature]map[string]bool, len(m))
	for n, prefixes := range m {
		if !n.Valid() || n.Personal() {
			return nil, fmt.Errorf("%q is not an organisation nature", n)
		}
		set := make(map[string]bool, len(prefixes))
		for _, p := range prefixes {
			if len(p) != 2 || creditCodeValue[p[0]] < 0 || creditCodeValue[p[1]] < 0 {
				return nil, fmt.Errorf("nature %q: %q is not a two-character GB 32100 prefix", n, p)
			}
			set[p] = true
		}
		out[n] = set
	}
	return out, nil
}

func decodeContentTypes(raw json.RawMessage) (map[filing.ContentType]bool, error) {
	return decodeSet(raw, func(t filing.ContentType) error {
		if !t.Valid() {
			return fmt.Errorf("unknown content type %q", t)
		}
		return nil
	})
}

// statePrefixRule forbids website names starting with words that suggest a
// state body, except for the natures that are state bodies.
type statePrefixRule struct {
	Prefixes      []string               `json:"prefixes"`
	ExemptNatures []filing.SubjectNature `json:"exempt_natures"`
}

func (r statePrefixRule) exempt(n filing.SubjectNature) bool {
	for _, e := range r.ExemptNatures {
		if e == n {
			return true
		}
	}
	return false
}

func decodeStatePrefixes(raw json.RawMessage) (statePrefixRule, error) {
	var r statePrefixRule
	if err := decodeStrict(raw, &r); err != nil {
		return r, err
	}
	if err := checkWords(r.Prefixes); err != nil {
		return r, fmt.Errorf("prefixes: %w", err)
	}
	for _, n := range r.ExemptNatures {
		if !n.Valid() {
			return r, fmt.Errorf("unknown exempt nature %q", n)
		}
	}
	return r, nil
}

func decodePhotoMode(raw json.RawMessage) (PhotoMode, error) {
	var m PhotoMode
	if err := decodeStrict(raw, &m); err != nil {
		return m, err
	}
	if !m.Valid() {
		return m, fmt.Errorf("unknown photo verification mode %q", m)
	}
	return m, nil
}
