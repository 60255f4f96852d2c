package filing

import "time"

// RuleCode identifies a rule of the filing rules (package rules): a
// violation, such as "domain.tld_not_approved", or a filing-type outcome,
// such as "filing_type.first_filing". Codes are part of the API contract:
// never renamed, only added.
type RuleCode string

// Message is a human-readable text in Chinese and English.
type Message struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Violation is one problem found in an application.
type Violation struct {
	// Code identifies the rule that failed.
	Code RuleCode `json:"code"`
	// Field is the JSON path of the offending value in Application, e.g.
	// "websites[1].domain"; "websites" for order-level problems.
	Field string `json:"field"`
	// Message explains the problem and, where possible, the fix.
	Message Message `json:"message"`
}

// Validation is the dry run's answer (POST /v1/filings/validate).
type Validation struct {
	// Valid is true when the application breaks no rule at all.
	Valid bool `json:"valid"`
	// Violations lists every problem found, in form order; never null.
	Violations []Violation `json:"violations"`
	// Materials are the documents the submission will demand, in form
	// order; never null.
	Materials []MaterialRequirement `json:"materials"`
	// RuleSetVersion identifies the province rules applied, so a later
	// check with other rules can be told apart.
	RuleSetVersion string `json:"rule_set_version"`
	// CheckedAt is the instant whose rules were applied.
	CheckedAt time.Time `json:"checked_at"`
}
