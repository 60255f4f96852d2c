package metrics

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// tagSet is an immutable, sanitized set of tags with its signature, shared
// by a handler and the series created through it.
type tagSet struct {
	m    map[string]string
	keys []string // sorted
	sig  string   // identifies the set among a family's series
}

// with returns t overlaid with tags. Keys are sanitized into label names and
// visited in sorted order, so two keys that sanitize alike resolve the same
// way every time. An empty value removes the tag: Prometheus cannot tell an
// empty label from a missing one, and keeping both as separate series would
// expose duplicates once the label sets are unioned.
func (t *tagSet) with(tags map[string]string) *tagSet {
	m := make(map[string]string, len(t.m)+len(tags))
	for k, v := range t.m {
		m[k] = v
	}
	raw := make([]string, 0, len(tags))
	for k := range tags {
		raw = append(raw, k)
	}
	sort.Strings(raw)
	for _, k := range raw {
		name, v := labelName(k), strings.ToValidUTF8(tags[k], string(utf8.RuneError))
		if v == "" {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sig strings.Builder
	for _, k := range keys {
		// 0xff never occurs in valid UTF-8, so the signature is unambiguous.
		sig.WriteString(k)
		sig.WriteByte(0xff)
		sig.WriteString(m[k])
		sig.WriteByte(0xff)
	}
	return &tagSet{m: m, keys: keys, sig: sig.String()}
}

// exposedName turns an SDK name into a valid Prometheus name with the
// conventional unit or _total suffix for its kind.
func exposedName(name string, k kind) string {
	n := sanitize(name, true)
	if n == "" {
		n = "temporal_unnamed"
	}
	switch k {
	case kindCounter:
		if !strings.HasSuffix(n, "_total") {
			n += "_total"
		}
	case kindTimer:
		if !strings.HasSuffix(n, "_seconds") {
			n += "_seconds"
		}
	}
	return n
}

// labelName turns a tag key into a valid label name. Names starting with
// "__" are reserved by Prometheus and "le" is the histogram bucket label, so
// those are prefixed rather than rejected.
func labelName(key string) string {
	n := sanitize(key, false)
	if n == "" || n == "le" || strings.HasPrefix(n, "__") {
		n = "tag_" + n
	}
	return n
}

// sanitize maps every byte outside [a-zA-Z0-9_] (plus ':' in metric names)
// to '_' and prefixes a leading digit, so no SDK input can make
// registration or exposition fail.
func sanitize(s string, colon bool) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || colon && c == ':') {
			b[i] = '_'
		}
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
}
