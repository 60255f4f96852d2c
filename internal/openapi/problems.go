package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/beianflow/beianflow/filing"
)

// problem is one way a request breaks the contract.
type problem struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`

	status int
	rank   int   // 0 parameters, 1 decoding (type, unknown member), 2 values
	order  []int // within the rank: document position or declaration order
}

const (
	rankParameter = iota
	rankDecode
	rankValue
)

// collect turns kin-openapi's errors into problems.
func collect(err error, out *[]problem, body any, root *openapi3.Schema) {
	// The tree is walked a level at a time: errors.As would skip levels.
	switch e := err.(type) { //nolint:errorlint // see above
	case openapi3.MultiError:
		for _, inner := range e {
			collect(inner, out, body, root)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			if me, ok := e.Err.(openapi3.MultiError); ok && len(me) > 0 { //nolint:errorlint // one level of the tree
				e.Err = me[0] // one problem per parameter is enough
			}
			*out = append(*out, parameterProblem(e.Parameter, e.Err))
		case e.RequestBody != nil:
			if me, ok := e.Err.(openapi3.MultiError); ok { //nolint:errorlint // one level of the tree
				for _, inner := range me {
					*out = append(*out, bodyProblems(inner, body, root)...)
				}
				return
			}
			if e.Err == nil && strings.HasPrefix(e.Reason, "header Content-Type has unexpected value") {
				*out = append(*out, problem{Code: filing.CodeUnsupportedMediaType, Message: "Content-Type must be application/json",
					status: http.StatusUnsupportedMediaType})
				return
			}
			*out = append(*out, bodyProblems(e.Err, body, root)...)
		default:
			*out = append(*out, problem{Code: filing.CodeInvalidValue, Message: "the request does not match the API contract",
				status: http.StatusBadRequest, rank: rankValue})
		}
	default:
		*out = append(*out, problem{Code: filing.CodeInvalidValue, Message: "the request does not match the API contract",
			status: http.StatusBadRequest, rank: rankValue})
	}
}

// parameterProblem maps a bad path, query or header parameter.
func parameterProblem(p *openapi3.Parameter, err error) problem {
	pr := problem{Code: filing.CodeInvalidValue, Field: p.Name, status: http.StatusBadRequest, rank: rankParameter}
	if p.In == openapi3.ParameterInHeader && strings.EqualFold(p.Name, "Idempotency-Key") {
		pr.Code = filing.CodeInvalidIdempotencyKey
		pr.Message = "Idempotency-Key must be 1-255 printable ASCII characters without spaces"
		return pr
	}
	var schemaErr *openapi3.SchemaError
	var parseErr *openapi3filter.ParseError
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		pr.Code = filing.CodeRequired
		pr.Message = fmt.Sprintf("%s parameter %s is required", p.In, p.Name)
	case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		pr.Message = fmt.Sprintf("%s must not be empty", p.Name)
	case errors.As(err, &schemaErr):
		pr.Message = expectation(p.Name, schemaErr)
	case errors.As(err, &parseErr):
		pr.Message = fmt.Sprintf("%s must be %s", p.Name, typeWords(p.Schema))
	default:
		pr.Message = fmt.Sprintf("%s is not accepted", p.Name)
	}
	return pr
}

func typeWords(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil || ref.Value.Type == nil || len(*ref.Value.Type) == 0 {
		return "a valid value"
	}
	s := ref.Value
	switch t := (*s.Type)[0]; t {
	case openapi3.TypeArray:
		if s.Items != nil {
			return "a comma-separated list of " + strings.TrimPrefix(typeWords(s.Items), "a ") + "s"
		}
		return "a list"
	case openapi3.TypeInteger:
		return "an integer"
	case openapi3.TypeBoolean:
		return "true or false"
	default:
		if s.Format != "" {
			return "a " + s.Format
		}
		return "a " + t
	}
}

// bodyProblems maps schema errors of the body. Field paths are the
// handlers' notation: members joined with dots, array indexes in brackets.
func bodyProblems(err error, body any, root *openapi3.Schema) []problem {
	var schemaErr *openapi3.SchemaError
	if !errors.As(err, &schemaErr) {
		if me, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // one level of the tree
			var out []problem
			for _, inner := range me {
				out = append(out, bodyProblems(inner, body, root)...)
			}
			return out
		}
		return []problem{{Code: filing.CodeInvalidJSON, Message: "the body could not be read as JSON", status: http.StatusBadRequest, rank: rankDecode}}
	}
	e := schemaErr
	ptr := e.JSONPointer()
	pr := problem{status: http.StatusBadRequest}
	switch e.SchemaField {
	case "properties":
		key, ok := unsupportedProperty(e.Reason)
		if !ok {
			key = "?"
		}
		pr.Code, pr.rank = filing.CodeUnknownField, rankDecode
		pr.Field = fieldPath(body, append(slices.Clone(ptr), key))
		pr.Message = fmt.Sprintf("unknown field %q", pr.Field)
		return []problem{pr}
	case "type":
		pr.Code, pr.rank = filing.CodeInvalidType, rankDecode
		pr.Field = fieldPath(body, ptr)
		pr.Message = fmt.Sprintf("%s must be a JSON %s", subject(pr.Field), jsonKindOf(e.Schema))
		return []problem{pr}
	case "nullable":
		pr.Code, pr.rank = filing.CodeInvalidType, rankDecode
		pr.Field = fieldPath(body, ptr)
		pr.Message = fmt.Sprintf("%s must not be null", subject(pr.Field))
		return []problem{pr}
	case "required":
		pr.Code, pr.rank = filing.CodeRequired, rankValue
	default:
		pr.Code, pr.rank = filing.CodeInvalidValue, rankValue
	}
	pr.Field = fieldPath(body, ptr)
	pr.order = declarationOrder(root, ptr)
	if pr.Code == filing.CodeRequired {
		pr.Message = subject(pr.Field) + " is required"
	} else {
		pr.Message = expectation(subject(pr.Field), e)
	}
	return []problem{pr}
}

func subject(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

// unsupportedProperty reads the member's name from kin-openapi's reason
// `property "k" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	quoted, ok := strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	k, err := strconv.Unquote(quoted)
	return k, err == nil
}

// jsonKindOf names the JSON type a schema wants, as the handlers do.
func jsonKindOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		return "value of another type"
	}
	switch t := (*s.Type)[0]; t {
	case openapi3.TypeInteger:
		return "number"
	default:
		return t
	}
}

// expectation says what a value should have been, never what it was: the
// value may be personal data.
func expectation(name string, e *openapi3.SchemaError) string {
	s := e.Schema
	if s == nil {
		return name + " is not accepted"
	}
	// The contract may say it in the handler's words.
	if msg, ok := s.Extensions["x-invalid-message"].(string); ok && msg != "" {
		return msg
	}
	switch e.SchemaField {
	case "enum":
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return fmt.Sprintf("%s must be one of %s", name, strings.Join(vals, ", "))
	case "pattern":
		return fmt.Sprintf("%s must match %s", name, s.Pattern)
	case "format":
		if s.Format == "date-time" {
			return name + " must be an RFC 3339 date-time such as 2026-11-02T10:00:00Z"
		}
		return fmt.Sprintf("%s must be a valid %s", name, s.Format)
	case "minimum", "exclusiveMinimum":
		if s.Min != nil {
			return fmt.Sprintf("%s must be at least %s", name, strconv.FormatFloat(*s.Min, 'f', -1, 64))
		}
	case "maximum", "exclusiveMaximum":
		if s.Max != nil {
			return fmt.Sprintf("%s must be at most %s", name, strconv.FormatFloat(*s.Max, 'f', -1, 64))
		}
	case "minLength":
		return fmt.Sprintf("%s must be at least %d characters long", name, s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("%s must be at most %d characters long", name, *s.MaxLength)
		}
	case "minItems":
		return fmt.Sprintf("%s must have at least %d items", name, s.MinItems)
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("%s must have at most %d items", name, *s.MaxItems)
		}
	case "minProperties", "maxProperties":
		if s.MinProps == 1 && s.MaxProps != nil && *s.MaxProps == 1 {
			names := declaredOrder(s.Properties)
			for i, n := range names {
				names[i] = name + "." + n
			}
			return "give exactly one of " + strings.Join(names, " and ")
		}
		if e.SchemaField == "minProperties" {
			return fmt.Sprintf("%s must have at least %d members", name, s.MinProps)
		}
		if s.MaxProps != nil {
			return fmt.Sprintf("%s must have at most %d members", name, *s.MaxProps)
		}
	case "uniqueItems":
		return name + " must not repeat items"
	}
	return name + " is not accepted"
}
