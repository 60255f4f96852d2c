package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
)

// decodeJSON reads the request body into dst strictly: the content type must
// be JSON, unknown fields are refused (a misspelt optional field would
// otherwise be silently ignored), and there must be exactly one JSON value.
// Each failure names the field when it can.
func decodeJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: filing.CodeUnsupportedMediaType,
			Message: "Content-Type must be application/json"}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: filing.CodeBodyTooLarge, Message: "request body too large"}
		}
		return badRequest(filing.CodeInvalidJSON, "", "could not read the request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest(filing.CodeInvalidJSON, "", "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonError(err error) *Error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return badRequest(filing.CodeInvalidJSON, "", "malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest(filing.CodeInvalidJSON, "", "the body must be a JSON object")
		}
		return badRequest(filing.CodeInvalidType, field, "%s must be a JSON %s", field, jsonKind(typeErr.Type.Kind().String()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest(filing.CodeInvalidJSON, "", "the body is empty or truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(filing.CodeUnknownField, field, "unknown field %q", field)
	default:
		return badRequest(filing.CodeInvalidJSON, "", "malformed JSON")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	default:
		return "number"
	}
}
