package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// flatten lists a schema's members with their paths: "subject.province",
// "websites[].name".
func flatten(s *openapi3.Schema, prefix string, out *[]docsField, depth int) {
	if s == nil || depth > 8 {
		return
	}
	props := map[string]*openapi3.SchemaRef{}
	var required []string
	collectProperties(s, props, &required)
	for _, name := range declaredOrder(props) {
		ref := props[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		*out = append(*out, docsField{Name: path, Type: schemaType(p), Required: slices.Contains(required, name),
			Description: inline(p.Description), Values: schemaValues(p)})
		switch {
		case p.Type.Is(openapi3.TypeObject) && len(p.Properties) > 0:
			flatten(p, path, out, depth+1)
		case p.Type.Is(openapi3.TypeArray) && p.Items != nil && p.Items.Value != nil && len(p.Items.Value.Properties) > 0:
			flatten(p.Items.Value, path+"[]", out, depth+1)
		}
	}
}

func collectProperties(s *openapi3.Schema, props map[string]*openapi3.SchemaRef, required *[]string) {
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			collectProperties(sub.Value, props, required)
		}
	}
	maps.Copy(props, s.Properties)
	*required = append(*required, s.Required...)
}

func schemaType(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		if len(s.OneOf) > 0 {
			return "one of several shapes"
		}
		return "any"
	}
	t := (*s.Type)[0]
	switch {
	case t == openapi3.TypeArray && s.Items != nil && s.Items.Value != nil:
		t = "array of " + schemaType(s.Items.Value)
	case s.Format != "":
		t += " (" + s.Format + ")"
	}
	if s.Nullable {
		t += ", nullable"
	}
	return t
}

// schemaValues says which values a member takes: its enum (enforced), the
// values the rules or the workflow know (x-known-values), its pattern and
// range.
func schemaValues(s *openapi3.Schema) string {
	var parts []string
	if s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value != nil {
		if v := schemaValues(s.Items.Value); v != "" {
			parts = append(parts, "items: "+v)
		}
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
			if vals[i] == "" {
				vals[i] = `""`
			}
		}
		parts = append(parts, "one of: "+strings.Join(vals, ", "))
	}
	if known, ok := s.Extensions["x-known-values"].([]any); ok {
		vals := make([]string, len(known))
		for i, v := range known {
			vals[i] = fmt.Sprint(v)
		}
		parts = append(parts, "known values: "+strings.Join(vals, ", "))
	}
	if s.Pattern != "" {
		parts = append(parts, "pattern: "+s.Pattern)
	}
	if s.Min != nil {
		parts = append(parts, fmt.Sprintf("minimum: %g", *s.Min))
	}
	if s.Max != nil {
		parts = append(parts, fmt.Sprintf("maximum: %g", *s.Max))
	}
	if s.Default != nil {
		parts = append(parts, fmt.Sprintf("default: %v", s.Default))
	}
	return strings.Join(parts, "; ")
}

func examplesOf(media *openapi3.MediaType) []docsExample {
	var out []docsExample
	if media == nil {
		return nil
	}
	if media.Example != nil {
		out = append(out, docsExample{JSON: exampleText(media.Example)})
	}
	for _, name := range slices.Sorted(maps.Keys(media.Examples)) {
		ex := media.Examples[name]
		if ex == nil || ex.Value == nil {
			continue
		}
		label := name
		if ex.Value.Summary != "" {
			label = name + ": " + ex.Value.Summary
		}
		out = append(out, docsExample{Name: label, JSON: exampleText(ex.Value.Value)})
	}
	return out
}

func exampleText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
