package apiclient

import (
	"context"
	"net/http"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// Validation is the dry run's answer (the server's validationResponse).
type Validation struct {
	// Valid is true when the application breaks no rule at all.
	Valid bool `json:"valid"`
	// Violations lists every problem found, in form order.
	Violations []rules.Violation `json:"violations"`
	// RuleSetVersion identifies the province rules applied, so a later
	// check with other rules can be told apart.
	RuleSetVersion string `json:"rule_set_version"`
	// CheckedAt is the instant whose rules were applied.
	CheckedAt time.Time `json:"checked_at"`
}

// ValidateApplication checks a complete or partial application against the
// rules without storing or starting anything (POST /v1/filings/validate).
// Violations are the answer, not an error; only an unreadable body is.
//
// Role: backend.
func (c *Client) ValidateApplication(ctx context.Context, app filing.Application, opts ...CallOption) (*Validation, error) {
	return call[Validation](ctx, c, http.MethodPost, "/v1/filings/validate", nil, app, opts)
}
