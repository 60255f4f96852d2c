package openapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// declaredOrder lists the names of properties in the order the contract
// declares them (by line), which is the order the handlers check them.
func declaredOrder(props openapi3.Schemas) []string {
	names := slices.Collect(maps.Keys(props))
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(line(props[a]), line(props[b])), strings.Compare(a, b))
	})
	return names
}

func line(ref *openapi3.SchemaRef) int {
	if ref != nil && ref.Origin != nil && ref.Origin.Key != nil {
		return ref.Origin.Key.Line
	}
	return 1 << 29
}

// fieldPath writes a JSON pointer in the handlers' notation, using the
// body to tell array indexes from member names.
func fieldPath(body any, ptr []string) string {
	var b strings.Builder
	cur := body
	for _, seg := range ptr {
		if arr, ok := cur.([]any); ok {
			b.WriteString("[" + seg + "]")
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(arr) {
				cur = arr[i]
			} else {
				cur = nil
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
		if m, ok := cur.(map[string]any); ok {
			cur = m[seg]
		} else {
			cur = nil
		}
	}
	return b.String()
}

// declarationOrder ranks a pointer by where its members are declared in
// the contract (which lists them in the order the handlers check them),
// and by index within arrays.
func declarationOrder(root *openapi3.Schema, ptr []string) []int {
	out := make([]int, 0, len(ptr))
	s := root
	for _, seg := range ptr {
		if s == nil {
			out = append(out, 1<<30)
			continue
		}
		if s.Type.Is(openapi3.TypeArray) {
			i, _ := strconv.Atoi(seg)
			out = append(out, i)
			if s.Items != nil {
				s = s.Items.Value
			} else {
				s = nil
			}
			continue
		}
		p := s.Properties[seg]
		out = append(out, line(p))
		if p != nil {
			s = p.Value
		} else {
			s = nil
		}
	}
	return out
}

// docPositions numbers every member and array item of a JSON body in the
// order it appears, keyed by field path: decoding problems are reported in
// that order, as Go's decoder finds them.
func docPositions(body []byte) map[string]int {
	pos := map[string]int{}
	if len(body) == 0 {
		return pos
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	n := 0
	var walk func(path string, depth int) error
	walk = func(path string, depth int) error {
		if depth > 64 {
			return errors.New("too deep")
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := k
				if path != "" {
					p = path + "." + k
				}
				if _, seen := pos[p]; !seen {
					n++
					pos[p] = n
				}
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				p := path + "[" + strconv.Itoa(i) + "]"
				if _, seen := pos[p]; !seen {
					n++
					pos[p] = n
				}
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	_ = walk("", 0)
	return pos
}

func positionOf(pos map[string]int, field string) int {
	if n, ok := pos[field]; ok {
		return n
	}
	return 1 << 30
}
