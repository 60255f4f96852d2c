// Package activities holds every side effect of a filing: database writes,
// documents, notifications and calls to the outside world. Activities are
// methods on Activities, whose fields are their dependencies, and each is
// safe to retry.
package activities

import "github.com/beianflow/beianflow/store"

// Activities is registered with the worker once; its methods are the
// activities.
type Activities struct {
	Filings *store.Filings
}
