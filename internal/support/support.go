// Package support is the Temporal-facing side of beianflow's support
// tooling: finding stuck filings, reading a filing's workflow history
// decoded next to its audit trail, re-running a failing activity now, and
// replaying a history against the current workflow code. The API serves it
// to `support` keys (api/support.go) and `beianflow ctl` calls the API.
//
// Nothing here changes a filing's course except Retry, which only makes
// Temporal run a failing activity again at once (its attempts start over).
package support

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
)

// Errors of the support operations, beyond filings.ErrNotFound (no
// filing with this ID exists in Temporal) and filings.ErrClosed (its
// workflow has ended; nothing can be retried or reset).
var (
	// ErrBadCursor: a stuck-scan cursor that is malformed or not Temporal's.
	ErrBadCursor = errors.New("support: bad cursor")
	// ErrDatabase wraps failures of beianflow's database (read model,
	// audit trail), as opposed to Temporal's.
	ErrDatabase = errors.New("support: database")
)

// Service holds what the support operations need. The zero Now is time.Now.
type Service struct {
	// Filings is the way in to Temporal; its client serves the calls
	// only support makes (resets, activity resets, listings).
	Filings *filings.Client
	// Namespace of the filings. Empty: learnt from the client on first use
	// (the SDK fills a request's empty namespace with its own).
	Namespace string
	DB        *store.DB
	// Codec decodes payloads for the history view and the replayer; nil
	// shows payloads as stored and replays clear histories only.
	Codec converter.PayloadCodec
	Now   func() time.Time

	nsOnce sync.Mutex
	ns     string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// namespace is the Temporal namespace for raw service calls, which the SDK
// does not fill in.
func (s *Service) namespace(ctx context.Context) (string, error) {
	if s.Namespace != "" {
		return s.Namespace, nil
	}
	s.nsOnce.Lock()
	defer s.nsOnce.Unlock()
	if s.ns != "" {
		return s.ns, nil
	}
	// ListWorkflow sets an empty request namespace to the client's before
	// sending it: the cheapest way to learn it without configuration.
	req := &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1,
		Query: "WorkflowType = '" + filing.WorkflowName + "' AND ExecutionStatus = 'Running'"}
	if _, err := s.Filings.Temporal.ListWorkflow(ctx, req); err != nil && req.Namespace == "" {
		return "", fmt.Errorf("support: learn the namespace: %w", err)
	}
	if req.Namespace == "" {
		return "", errors.New("support: the Temporal client did not say its namespace")
	}
	s.ns = req.Namespace
	return s.ns, nil
}

// filingIDOf is the filing of a workflow ID, "" for other workflows.
func filingIDOf(workflowID string) filing.ID {
	id, _ := filing.IDFromWorkflowID(workflowID)
	return id
}

// isNotFound reports Temporal's NotFound.
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// describeRunning is Temporal's description of a running filing; an ended one is
// filings.ErrClosed.
func (s *Service) describeRunning(ctx context.Context, filingID filing.ID) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	d, err := s.Filings.Describe(ctx, filingID)
	if err != nil {
		return nil, err
	}
	if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil, filings.ErrClosed
	}
	return d, nil
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// maxFailureRunes bounds failure messages shown to support staff: they come
// from our activities and the SDK and carry no personal data by design, but
// a stack trace or a gateway's error page must not flood a listing.
const maxFailureRunes = 300
