package openapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"maps"
	"net/http"
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

// Docs serves the contract as one self-contained HTML page (GET
// /v1/docs), rendered on the server once.
func Docs(c echo.Context) error {
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
		return nil, fmt.Errorf("openapi: docs template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, buildDocs(spec.doc)); err != nil {
		return nil, fmt.Errorf("openapi: render docs: %w", err)
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
