package rules

import (
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
)

// Code is a stable, machine-readable identifier of a violation or of a
// filing-type outcome. Clients switch on it; the text in Message may change.
// It is the contract's RuleCode, so violations reach callers unchanged.
type Code = filing.RuleCode

// Message is a human-readable text in Chinese and English.
type Message = filing.Message

// Violation is one problem found in an application, shaped so the API can
// return it unchanged.
type Violation = filing.Violation

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
	return fmt.Sprintf("%s: %s", e.Code, message(e.Code, e.args...).EN)
}

// formatOf is the FormatError a parser of this package returned: they
// return no other error, so anything else is a bug here.
func formatOf(err error) *FormatError {
	var fe *FormatError
	if !errors.As(err, &fe) {
		panic("rules: a parser returned " + err.Error() + ", not a *FormatError")
	}
	return fe
}

// Message returns the bilingual explanation of the error.
func (e *FormatError) Message() Message { return message(e.Code, e.args...) }

// message renders the code's templates with args.
func message(c Code, args ...any) Message {
	t := catalogueByCode[c]
	if t.args == 0 {
		return Message{ZH: t.zh, EN: t.en}
	}
	return Message{ZH: fmt.Sprintf(t.zh, args...), EN: fmt.Sprintf(t.en, args...)}
}
