package httpx

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

// DecodeJSON reads the request body into dst strictly: the content type must
// be JSON, unknown fields are refused (a misspelt optional field would
// otherwise be silently ignored), and there must be exactly one JSON value.
// Each failure names the field when it can.
func DecodeJSON(c echo.Context, dst any) error {
	body, e := ReadJSON(c)
	if e != nil {
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if e := DecodeOne(dec, dst); e != nil {
		return e
	}
	return nil
}

// ReadJSON reads the whole body of a request that must be JSON: another
// content type is a 415, a body past the limit a 413.
func ReadJSON(c echo.Context) ([]byte, *Error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: filing.CodeUnsupportedMediaType,
			Message: "Content-Type must be application/json"}
	}
	return ReadBody(c.Request().Body)
}

// ReadBody reads a request body; reading past LimitBody's bound is a 413.
func ReadBody(body io.Reader) ([]byte, *Error) {
	b, err := io.ReadAll(body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return b, &Error{Status: http.StatusRequestEntityTooLarge, Code: filing.CodeBodyTooLarge, Message: "request body too large"}
		}
		return b, BadRequest(filing.CodeInvalidJSON, "", "could not read the request body")
	}
	return b, nil
}

// DecodeOne decodes the decoder's one and only JSON value into dst; a
// second value after it is refused, as is anything JSONError names.
func DecodeOne(dec *json.Decoder, dst any) *Error {
	if err := dec.Decode(dst); err != nil {
		return JSONError(err)
	}
	if dec.More() {
		return BadRequest(filing.CodeInvalidJSON, "", "the body must hold exactly one JSON object")
	}
	return nil
}

// JSONError turns a failure of encoding/json into a 400 that says where
// and what, never the value (which may be personal data).
func JSONError(err error) *Error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return BadRequest(filing.CodeInvalidJSON, "", "malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return BadRequest(filing.CodeInvalidJSON, "", "the body must be a JSON object")
		}
		return BadRequest(filing.CodeInvalidType, field, "%s must be a JSON %s", field, jsonKind(typeErr.Type.Kind().String()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest(filing.CodeInvalidJSON, "", "the body is empty or truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return BadRequest(filing.CodeUnknownField, field, "unknown field %q", field)
	default:
		return BadRequest(filing.CodeInvalidJSON, "", "malformed JSON")
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
