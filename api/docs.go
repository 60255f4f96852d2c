package api

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

//go:embed docs.html.tmpl
var docsTemplate string

// docsCSP allows the page's inline styles and nothing else: no scripts, no
// external resources, no framing.
const docsCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

// docsPage serves the contract as one self-contained HTML page (GET
// /v1/docs), rendered on the server once.
func (s *server) docsPage(c echo.Context) error {
	page, err := renderDocs()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", docsCSP)
	return c.HTMLBlob(http.StatusOK, page)
}

var renderDocs = sync.OnceValues(func() ([]byte, error) {
	spec, err := loadSpec()
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("docs").Parse(docsTemplate)
	if err != nil {
		return nil, fmt.Errorf("api: docs template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, buildDocs(spec.doc)); err != nil {
		return nil, fmt.Errorf("api: render docs: %w", err)
	}
	return buf.Bytes(), nil
})

// What the template shows.
type (
	docsData struct {
		Title, Version string
		Description    template.HTML
		Auth           []docsScheme
		ErrorCodes     []docsErrorCode
		RuleCodes      []string
		Tags           []docsTag
	}
	docsScheme struct {
		Name, Kind  string
		Description template.HTML
	}
	docsErrorCode struct {
		Status  int
		Code    string
		Meaning template.HTML
	}
	docsTag struct {
		Name        string
		Description string
		Operations  []docsOperation
	}
	docsOperation struct {
		Anchor, Method, Path, Summary string
		Description                   template.HTML
		Roles                         []string
		Auth                          string
		Parameters                    []docsField
		Body                          []docsField
		BodyRequired                  bool
		BodyType                      string
		RequestExamples               []docsExample
		Responses                     []docsResponse
	}
	docsField struct {
		Name, In, Type string
		Required       bool
		Description    template.HTML
		Values         string
	}
	docsResponse struct {
		Status      string
		Description template.HTML
		Headers     []string
		Examples    []docsExample
	}
	docsExample struct {
		Name, JSON string
	}
)

var methodOrder = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func buildDocs(doc *openapi3.T) docsData {
	d := docsData{Title: doc.Info.Title, Version: doc.Info.Version, Description: markdown(doc.Info.Description)}
	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.SecuritySchemes)) {
			ss := doc.Components.SecuritySchemes[name].Value
			kind := ss.Type
			if ss.Scheme != "" {
				kind += " " + ss.Scheme
			}
			if ss.Name != "" {
				kind += " (" + ss.In + " " + ss.Name + ")"
			}
			d.Auth = append(d.Auth, docsScheme{Name: name, Kind: kind, Description: markdown(ss.Description)})
		}
	}
	if list, ok := doc.Extensions["x-error-codes"].([]any); ok {
		for _, item := range list {
			m, _ := item.(map[string]any)
			status, _ := m["status"].(float64)
			if n, ok := m["status"].(int); ok {
				status = float64(n)
			}
			d.ErrorCodes = append(d.ErrorCodes, docsErrorCode{Status: int(status), Code: fmt.Sprint(m["code"]),
				Meaning: inline(fmt.Sprint(m["meaning"]))})
		}
	}
	if list, ok := doc.Extensions["x-rule-codes"].([]any); ok {
		for _, c := range list {
			d.RuleCodes = append(d.RuleCodes, fmt.Sprint(c))
		}
	}

	byTag := map[string][]docsOperation{}
	paths := slices.Sorted(maps.Keys(doc.Paths.Map()))
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range methodOrder {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			byTag[tag] = append(byTag[tag], buildOperation(doc, path, method, item, op))
		}
	}
	for _, t := range doc.Tags {
		if ops := byTag[t.Name]; len(ops) > 0 {
			d.Tags = append(d.Tags, docsTag{Name: t.Name, Description: t.Description, Operations: ops})
			delete(byTag, t.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(byTag)) {
		d.Tags = append(d.Tags, docsTag{Name: name, Operations: byTag[name]})
	}
	return d
}

func buildOperation(doc *openapi3.T, path, method string, item *openapi3.PathItem, op *openapi3.Operation) docsOperation {
	o := docsOperation{
		Anchor: op.OperationID, Method: method, Path: path, Summary: op.Summary,
		Description: markdown(op.Description), Roles: operationRoles(op),
	}
	if o.Anchor == "" {
		o.Anchor = strings.ToLower(method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(path)
	}
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	var schemes []string
	for _, req := range security {
		schemes = append(schemes, slices.Sorted(maps.Keys(req))...)
	}
	o.Auth = "none"
	if len(schemes) > 0 {
		o.Auth = strings.Join(schemes, ", ")
	}

	params := append(slices.Clone(item.Parameters), op.Parameters...)
	for _, ref := range params {
		p := ref.Value
		if p == nil {
			continue
		}
		f := docsField{Name: p.Name, In: p.In, Required: p.Required, Description: inline(p.Description)}
		if p.Schema != nil && p.Schema.Value != nil {
			f.Type, f.Values = schemaType(p.Schema.Value), schemaValues(p.Schema.Value)
		}
		o.Parameters = append(o.Parameters, f)
	}

	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		o.BodyRequired = rb.Value.Required
		for _, ct := range slices.Sorted(maps.Keys(rb.Value.Content)) {
			media := rb.Value.Content[ct]
			o.BodyType = ct
			if media.Schema != nil && media.Schema.Value != nil {
				flatten(media.Schema.Value, "", &o.Body, 0)
			}
			o.RequestExamples = append(o.RequestExamples, examplesOf(media)...)
		}
	}

	if op.Responses != nil {
		codes := slices.Sorted(maps.Keys(op.Responses.Map()))
		for _, code := range codes {
			ref := op.Responses.Value(code)
			if ref == nil || ref.Value == nil {
				continue
			}
			r := docsResponse{Status: code}
			if ref.Value.Description != nil {
				r.Description = markdown(*ref.Value.Description)
			}
			r.Headers = slices.Sorted(maps.Keys(ref.Value.Headers))
			for _, ct := range slices.Sorted(maps.Keys(ref.Value.Content)) {
				r.Examples = append(r.Examples, examplesOf(ref.Value.Content[ct])...)
			}
			o.Responses = append(o.Responses, r)
		}
	}
	return o
}

// flatten lists a schema's members with their paths: "subject.province",
// "websites[].name".
func flatten(s *openapi3.Schema, prefix string, out *[]docsField, depth int) {
	if s == nil || depth > 8 {
		return
	}
	props := map[string]*openapi3.SchemaRef{}
	var required []string
	collectProperties(s, props, &required)
	names := slices.Collect(maps.Keys(props))
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(line(props[a]), line(props[b])), strings.Compare(a, b))
	})
	for _, name := range names {
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

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	bold     = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inline renders the inline markdown the contract uses (code spans and
// bold) on escaped text.
func inline(s string) template.HTML {
	e := html.EscapeString(s)
	e = codeSpan.ReplaceAllString(e, "<code>$1</code>")
	e = bold.ReplaceAllString(e, "<strong>$1</strong>")
	return template.HTML(e) //nolint:gosec // escaped above; only our own tags are added
}

// markdown renders the block markdown the contract uses: paragraphs,
// "## " headings, "- " lists and pipe tables.
func markdown(s string) template.HTML {
	var b strings.Builder
	for _, block := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		switch {
		case len(lines) == 0 || lines[0] == "":
		case strings.HasPrefix(lines[0], "## "):
			b.WriteString("<h3>" + string(inline(strings.TrimPrefix(lines[0], "## "))) + "</h3>\n")
			if len(lines) > 1 {
				b.WriteString(string(markdown(strings.Join(lines[1:], "\n"))))
			}
		case strings.HasPrefix(lines[0], "|"):
			b.WriteString("<table>\n")
			for i, l := range lines {
				if i == 1 && strings.Trim(l, "|- :") == "" {
					continue
				}
				cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
				tag := "td"
				if i == 0 {
					tag = "th"
				}
				b.WriteString("<tr>")
				for _, cell := range cells {
					b.WriteString("<" + tag + ">" + string(inline(strings.TrimSpace(cell))) + "</" + tag + ">")
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case strings.HasPrefix(lines[0], "- "):
			b.WriteString("<ul>\n")
			var item []string
			flush := func() {
				if len(item) > 0 {
					b.WriteString("<li>" + string(inline(strings.Join(item, " "))) + "</li>\n")
				}
				item = nil
			}
			for _, l := range lines {
				if rest, ok := strings.CutPrefix(l, "- "); ok {
					flush()
					item = append(item, rest)
				} else {
					item = append(item, strings.TrimSpace(l))
				}
			}
			flush()
			b.WriteString("</ul>\n")
		default:
			b.WriteString("<p>" + string(inline(strings.Join(lines, " "))) + "</p>\n")
		}
	}
	return template.HTML(b.String()) //nolint:gosec // built from inline(), which escapes
}
