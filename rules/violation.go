package rules

import "fmt"

// Code is a stable, machine-readable identifier of a violation or of a
// filing-type outcome. Clients switch on it; the text in Message may change.
type Code string

// Message is a human-readable text in Chinese and English.
type Message struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Violation is one problem found in an application, shaped so the API can
// return it unchanged.
type Violation struct {
	// Code identifies the rule that failed.
	Code Code `json:"code"`
	// Field is the JSON path of the offending value in filing.Application,
	// e.g. "websites[1].domain"; "websites" for order-level problems.
	Field string `json:"field"`
	// Message explains the problem and, where possible, the fix.
	Message Message `json:"message"`
}

// FormatError is returned by the parsers in this package. Its Code is the
// violation code Validate reports for the same input.
type FormatError struct {
	Code Code
	args []any
}

func formatErr(code Code, args ...any) *FormatError {
	return &FormatError{Code: code, args: args}
}

// Error returns the English message prefixed with the code.
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Code.message(e.args...).EN)
}

// Message returns the bilingual explanation of the error.
func (e *FormatError) Message() Message { return e.Code.message(e.args...) }

// message renders the code's templates with args.
func (c Code) message(args ...any) Message {
	t := catalogueByCode[c]
	if t.args == 0 {
		return Message{ZH: t.zh, EN: t.en}
	}
	return Message{ZH: fmt.Sprintf(t.zh, args...), EN: fmt.Sprintf(t.en, args...)}
}
