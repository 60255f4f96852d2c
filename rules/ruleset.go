package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
)

// RuleSetFile is the file LoadRuleSet reads from the root of its fs.FS.
const RuleSetFile = "ruleset.json"

//go:embed data/ruleset.json
var embedded embed.FS

// RuleSet is a loaded, validated, immutable set of dated rule entries. It is
// safe for concurrent use.
type RuleSet struct {
	version    string
	national   [][]entry            // indexed like kinds
	provincial map[string][][]entry // province code → indexed like kinds
	// resolved caches For by province and China date: entries take effect
	// at China midnight, so every instant of one day resolves alike, and
	// merging the list kinds once per day keeps Validate cheap.
	resolved sync.Map // resolvedKey → ProvinceRules
}

type resolvedKey struct {
	province string
	day      Date
}

// entry is one decoded rule entry.
type entry struct {
	from, until time.Time // until is exclusive; zero means open-ended
	value       any
}

func (e *entry) effective(t time.Time) bool {
	return !t.Before(e.from) && (e.until.IsZero() || t.Before(e.until))
}

// fileEntry is an entry as written in the data file.
type fileEntry struct {
	Kind           string          `json:"kind"`
	Province       string          `json:"province,omitempty"`
	Value          json.RawMessage `json:"value"`
	EffectiveFrom  string          `json:"effective_from"`
	EffectiveUntil string          `json:"effective_until,omitempty"`
	Source         string          `json:"source"`
	Note           string          `json:"note,omitempty"`
}

type fileDoc struct {
	Version     string      `json:"version"`
	Description string      `json:"description,omitempty"`
	Rules       []fileEntry `json:"rules"`
}

// sourceTags are the evidence tags of the domain brief; every entry must
// start with one so that reviewers can weigh it.
var sourceTags = []string{"[C]", "[C-m]", "[3P]", "[I]"}

// LoadRuleSet reads RuleSetFile from fsys and validates every entry: known
// kind, known province, well-typed value, dates, source tag, and no two
// entries of the same kind and province in force at once.
func LoadRuleSet(fsys fs.FS) (*RuleSet, error) {
	data, err := fs.ReadFile(fsys, RuleSetFile)
	if err != nil {
		return nil, fmt.Errorf("rules: read rule set: %w", err)
	}
	var doc fileDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("rules: parse %s: %w", RuleSetFile, err)
	}
	if strings.TrimSpace(doc.Version) == "" {
		return nil, fmt.Errorf("rules: %s: version is missing", RuleSetFile)
	}
	sum := sha256.Sum256(data)
	rs := &RuleSet{
		version:    doc.Version + "+sha256:" + hex.EncodeToString(sum[:6]),
		national:   make([][]entry, len(kinds)),
		provincial: make(map[string][][]entry),
	}
	for i, fe := range doc.Rules {
		if err := rs.add(fe); err != nil {
			return nil, fmt.Errorf("rules: %s rule %d (%s %s): %w", RuleSetFile, i, fe.Kind, fe.Province, err)
		}
	}
	if err := rs.checkOverlaps(); err != nil {
		return nil, fmt.Errorf("rules: %s: %w", RuleSetFile, err)
	}
	return rs, nil
}

func (rs *RuleSet) add(fe fileEntry) error {
	k, ok := kindIndex[fe.Kind]
	if !ok {
		return errors.New("unknown kind")
	}
	if !slices.ContainsFunc(sourceTags, func(t string) bool { return strings.HasPrefix(fe.Source, t) }) {
		return fmt.Errorf("source %q does not start with an evidence tag %v", fe.Source, sourceTags)
	}
	from, err := time.ParseInLocation(time.DateOnly, fe.EffectiveFrom, chinaTime)
	if err != nil {
		return fmt.Errorf("effective_from: %w", err)
	}
	var until time.Time
	if fe.EffectiveUntil != "" {
		if until, err = time.ParseInLocation(time.DateOnly, fe.EffectiveUntil, chinaTime); err != nil {
			return fmt.Errorf("effective_until: %w", err)
		}
		if !until.After(from) {
			return errors.New("effective_until is not after effective_from")
		}
	}
	value, err := kinds[k].decode(fe.Value)
	if err != nil {
		return fmt.Errorf("value: %w", err)
	}
	e := entry{from: from, until: until, value: value}
	if fe.Province == "" {
		rs.national[k] = append(rs.national[k], e)
		return nil
	}
	p, ok := LookupProvince(fe.Province)
	if !ok || p.Code != fe.Province {
		return fmt.Errorf("province %q is not an upper-case code of rules.Provinces", fe.Province)
	}
	byKind := rs.provincial[p.Code]
	if byKind == nil {
		byKind = make([][]entry, len(kinds))
		rs.provincial[p.Code] = byKind
	}
	byKind[k] = append(byKind[k], e)
	return nil
}

// checkOverlaps rejects ambiguous data: with two entries in force on the
// same day, which one wins would depend on file order. List kinds are
// exempt: their entries add up, so that a list can grow one dated,
// sourced entry at a time (a TLD approved on its own day).
func (rs *RuleSet) checkOverlaps() error {
	check := func(scope string, byKind [][]entry) error {
		for k, es := range byKind {
			slices.SortFunc(es, func(a, b entry) int { return a.from.Compare(b.from) })
			if kinds[k].union {
				continue
			}
			for i := 1; i < len(es); i++ {
				if prev := es[i-1]; prev.until.IsZero() || prev.until.After(es[i].from) {
					return fmt.Errorf("%s %s: entries from %s and %s overlap",
						scope, kinds[k].name, prev.from.Format(time.DateOnly), es[i].from.Format(time.DateOnly))
				}
			}
		}
		return nil
	}
	if err := check("national", rs.national); err != nil {
		return err
	}
	for code, byKind := range rs.provincial {
		if err := check(code, byKind); err != nil {
			return err
		}
	}
	return nil
}

// Version identifies the rule set: the declared version plus a hash of the
// file, so that an edited file without a version bump is still told apart.
// Record it with every check result.
func (rs *RuleSet) Version() string { return rs.version }

// For resolves the rules in force for a province on the date of asOf: per
// kind the province's own entry if one is in force, else the national one;
// list kinds combine every entry in force, national and the province's. An
// unknown province gets national rules.
func (rs *RuleSet) For(province string, asOf time.Time) ProvinceRules {
	p, _ := LookupProvince(province)
	key := resolvedKey{p.Code, chinaDate(asOf)}
	if pr, ok := rs.resolved.Load(key); ok {
		return pr.(ProvinceRules)
	}
	pr := rs.resolve(p, asOf)
	rs.resolved.Store(key, pr)
	return pr
}

func (rs *RuleSet) resolve(p Province, asOf time.Time) ProvinceRules {
	pr := ProvinceRules{province: p}
	local := rs.provincial[p.Code]
	for k := range kinds {
		if kinds[k].union {
			for _, scope := range [][][]entry{rs.national, local} {
				if scope == nil {
					continue
				}
				for i := range scope[k] {
					if e := &scope[k][i]; e.effective(asOf) {
						kinds[k].apply(&pr, e.value)
					}
				}
			}
			continue
		}
		var prov *entry
		if local != nil {
			prov = inForce(local[k], asOf)
		}
		nat := inForce(rs.national[k], asOf)
		if nat != nil && (prov == nil || kinds[k].layered) {
			kinds[k].apply(&pr, nat.value)
		}
		if prov != nil {
			kinds[k].apply(&pr, prov.value)
		}
	}
	return pr
}

func inForce(es []entry, t time.Time) *entry {
	for i := range es {
		if es[i].effective(t) {
			return &es[i]
		}
	}
	return nil
}

var defaultRuleSet = sync.OnceValues(func() (*RuleSet, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return nil, err
	}
	return LoadRuleSet(sub)
})

// DefaultRuleSet returns the rule set compiled into the binary. The
// embedded data is checked by the package tests, so a load failure is a
// build defect and panics.
func DefaultRuleSet() *RuleSet {
	rs, err := defaultRuleSet()
	if err != nil {
		panic(fmt.Sprintf("rules: embedded rule set is invalid: %v", err))
	}
	return rs
}
