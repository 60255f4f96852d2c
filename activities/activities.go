// Package activities holds every side effect of a filing: database writes,
// documents, notifications and calls to the outside world. Activities are
// methods on Activities, whose fields are their dependencies; each is safe to
// retry, and business rejections are non-retryable errors of a named type.
package activities

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/registrar"
	"github.com/beianflow/beianflow/internal/servicenumbers"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// Activities is registered with the worker once; its methods are the
// activities.
type Activities struct {
	DB           *store.DB
	Filings      *store.Filings
	Events       *store.Events
	Applications *store.Applications
	// Sealer seals notification recipients with their filing's data key
	// before they are queued.
	Sealer         store.Sealer
	Documents      *documents.Store
	Subjects       *store.Subjects
	Forms          *store.VerificationForms
	ServiceNumbers *servicenumbers.Registry
	Bureau         bureau.Gateway
	Courier        courier.Courier
	Registry       registrar.Lookup
	// IdentitySecret keys the hash that names a responsible person in
	// histories (PersonVerification.Person).
	IdentitySecret []byte
	// DeliveryRetryFor is how long the webhook deliveries of an event are
	// retried (hooks.DefaultRetryFor when zero).
	DeliveryRetryFor time.Duration
	// Rules defaults to rules.DefaultRuleSet(); Now to time.Now.
	Rules *rules.RuleSet
	Now   func() time.Time
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) ruleSet() *rules.RuleSet {
	if a.Rules != nil {
		return a.Rules
	}
	return rules.DefaultRuleSet()
}

// reject returns a non-retryable business error of errType. Its detail is
// the rejection's reason, safe for histories: a stable code and a message
// without personal data.
func reject(errType, code, message string, cause error) error {
	return rejectField(errType, "", code, message, cause)
}

// rejectField is reject for a reason about one field of the application.
func rejectField(errType, field, code, message string, cause error) error {
	return temporal.NewNonRetryableApplicationError(message, errType, cause, filing.Reason{Field: field, Code: code, Message: message})
}
