package support

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/beianflow/beianflow/filing"
)

// Bounds of a stuck scan.
const (
	DefaultStuckLimit  = 50
	MaxStuckLimit      = 200
	DefaultStuckScan   = 200
	MaxStuckScan       = 1000
	DefaultMinAttempts = 2
	// describeConcurrency bounds parallel DescribeWorkflowExecution calls.
	describeConcurrency = 8
)

// StuckQuery bounds the work of a scan.
type StuckQuery struct {
	// Limit is the most filings listed (1..MaxStuckLimit).
	Limit int
	// Scan is the most open filings described in Temporal (1..MaxStuckScan).
	Scan int
	// MinAttempts is the attempt from which a retrying activity is listed
	// (an activity on its second attempt has failed once).
	MinAttempts int
	// Cursor continues the scan of open filings where an earlier one
	// stopped (filing.StuckReport.NextCursor). Overdue filings come from the read
	// model in one query and are listed on the first page only.
	Cursor string
}

func (q *StuckQuery) normalize() {
	if q.Limit <= 0 {
		q.Limit = DefaultStuckLimit
	}
	q.Limit = min(q.Limit, MaxStuckLimit)
	if q.Scan <= 0 {
		q.Scan = DefaultStuckScan
	}
	q.Scan = min(q.Scan, MaxStuckScan)
	if q.MinAttempts <= 0 {
		q.MinAttempts = DefaultMinAttempts
	}
}

// openFilingsQuery selects the running filing workflows in visibility.
const openFilingsQuery = "WorkflowType = '" + filing.WorkflowName + "' AND ExecutionStatus = 'Running'"

// Stuck lists filings that need support: workflow tasks failing, activities
// failing again and again, and waits past their deadline. The work is
// bounded: at most q.Scan open filings are described (Temporal's visibility
// order, newest started first), continuing from q.Cursor; overdue filings
// are at most q.Limit candidates of the read model, each checked live.
func (s *Service) Stuck(ctx context.Context, q StuckQuery) (*filing.StuckReport, error) {
	q.normalize()
	now := s.now().UTC()
	rep := &filing.StuckReport{Items: []filing.StuckFiling{}, CheckedAt: now}

	token, err := decodeCursor(q.Cursor)
	if err != nil {
		return nil, err
	}
	var execs []*workflowservice.ListWorkflowExecutionsResponse
	for scanned := 0; scanned < q.Scan; {
		resp, err := s.Filings.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(min(q.Scan-scanned, 100)), NextPageToken: token, Query: openFilingsQuery})
		if err != nil {
			var bad *serviceerror.InvalidArgument
			if q.Cursor != "" && errors.As(err, &bad) {
				return nil, ErrBadCursor
			}
			return nil, fmt.Errorf("support: list open filings: %w", err)
		}
		execs = append(execs, resp)
		scanned += len(resp.Executions)
		token = resp.NextPageToken
		if len(token) == 0 || len(resp.Executions) == 0 {
			token = nil
			break
		}
	}
	if len(token) > 0 {
		rep.NextCursor = encodeCursor(token)
	}
	var ids []filing.ID
	for _, resp := range execs {
		for _, e := range resp.Executions {
			if id := filingIDOf(e.GetExecution().GetWorkflowId()); id != "" && len(ids) < q.Scan {
				ids = append(ids, id)
			}
		}
	}
	rep.Scanned = len(ids)
	if q.Cursor == "" {
		if n, err := s.Filings.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: openFilingsQuery}); err == nil {
			rep.OpenFilings = &n.Count
		}
	}

	found, err := s.describeAll(ctx, ids, q.MinAttempts)
	if err != nil {
		return nil, err
	}
	if q.Cursor == "" {
		overdue, err := s.overdue(ctx, now, q.Limit+1)
		if err != nil {
			return nil, err
		}
		found = append(found, overdue...)
	}
	rank := map[filing.StuckReason]int{filing.StuckWorkflowTaskFailing: 0, filing.StuckActivityFailing: 1, filing.StuckDeadlinePassed: 2}
	slices.SortStableFunc(found, func(a, b filing.StuckFiling) int {
		if c := cmp.Compare(rank[a.Reason], rank[b.Reason]); c != 0 {
			return c
		}
		if a.Reason == filing.StuckDeadlinePassed {
			return -cmp.Compare(a.Details.OverdueSeconds, b.Details.OverdueSeconds)
		}
		return -cmp.Compare(a.Details.Attempt, b.Details.Attempt)
	})
	if len(found) > q.Limit {
		found, rep.Truncated = found[:q.Limit], true
	}
	rep.Items = found
	return rep, nil
}

// A cursor is Temporal's page token behind a checksum: a mistyped or
// truncated cursor is refused here instead of reaching Temporal, which
// answers garbage tokens with an internal error.
const cursorSumBytes = 8

func encodeCursor(token []byte) string {
	sum := sha256.Sum256(token)
	return base64.RawURLEncoding.EncodeToString(append(sum[:cursorSumBytes:cursorSumBytes], token...))
}

func decodeCursor(c string) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) <= cursorSumBytes || len(b) > 4096 {
		return nil, ErrBadCursor
	}
	token := b[cursorSumBytes:]
	sum := sha256.Sum256(token)
	if !bytes.Equal(sum[:cursorSumBytes], b[:cursorSumBytes]) {
		return nil, ErrBadCursor
	}
	return token, nil
}

// eachFiling runs fn for each filing, a few at a time, and gathers what
// it returns; the first error stops the rest.
func eachFiling(ctx context.Context, ids []filing.ID, fn func(ctx context.Context, id filing.ID) ([]filing.StuckFiling, error)) ([]filing.StuckFiling, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		out   []filing.StuckFiling
		first error
		wg    sync.WaitGroup
	)
	next := make(chan filing.ID)
	for range min(describeConcurrency, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				items, err := fn(ctx, id)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				out = append(out, items...)
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range ids {
		select {
		case next <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, ctx.Err()
}

// describeAll describes each filing and returns the problems found.
func (s *Service) describeAll(ctx context.Context, ids []filing.ID, minAttempts int) ([]filing.StuckFiling, error) {
	return eachFiling(ctx, ids, func(ctx context.Context, id filing.ID) ([]filing.StuckFiling, error) {
		return s.problems(ctx, id, minAttempts)
	})
}
