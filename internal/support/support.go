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

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/workflows"
)

// Errors of the support operations.
var (
	// ErrNotFound: no filing with this ID exists in Temporal.
	ErrNotFound = errors.New("support: filing not found")
	// ErrClosed: the filing's workflow has ended; nothing can be retried.
	ErrClosed = errors.New("support: filing has ended")
	// ErrBadCursor: a stuck-scan cursor that is malformed or not Temporal's.
	ErrBadCursor = errors.New("support: bad cursor")
	// ErrDatabase wraps failures of beianflow's database (read model,
	// audit trail), as opposed to Temporal's.
	ErrDatabase = errors.New("support: database")
)

// Service holds what the support operations need. The zero Now is time.Now.
type Service struct {
	Temporal client.Client
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
		Query: "WorkflowType = '" + workflows.FilingWorkflowName + "' AND ExecutionStatus = 'Running'"}
	if _, err := s.Temporal.ListWorkflow(ctx, req); err != nil && req.Namespace == "" {
		return "", fmt.Errorf("support: learn the namespace: %w", err)
	}
	if req.Namespace == "" {
		return "", errors.New("support: the Temporal client did not say its namespace")
	}
	s.ns = req.Namespace
	return s.ns, nil
}

// checkID refuses what cannot be a filing ID before it reaches Temporal
// (invalid UTF-8 in a workflow ID fails the gRPC call itself).
func checkID(filingID string) error {
	if u, err := uuid.Parse(filingID); err != nil || u.String() != strings.ToLower(filingID) {
		return ErrNotFound
	}
	return nil
}

// filingIDOf is the filing ID of a workflow ID, "" for other workflows.
func filingIDOf(workflowID string) string {
	id, ok := strings.CutPrefix(workflowID, workflows.WorkflowID(""))
	if !ok || checkID(id) != nil {
		return ""
	}
	return id
}

// isNotFound reports Temporal's NotFound.
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// describe is DescribeWorkflowExecution of a filing's latest run.
func (s *Service) describe(ctx context.Context, filingID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if err := checkID(filingID); err != nil {
		return nil, err
	}
	d, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(filingID), "")
	if isNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("support: describe filing %s: %w", filingID, err)
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
