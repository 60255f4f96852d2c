package filings

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/beianflow/beianflow/filing"
)

// Describe is Temporal's description of the filing's latest run; a filing
// Temporal does not know is ErrNotFound.
func (c *Client) Describe(ctx context.Context, id filing.ID) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	d, err := c.Temporal.DescribeWorkflow(ctx, id.WorkflowID(), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("filings: describe %s: %w", id, err)
	}
	return d.RawResponse, nil
}

// History reads up to limit events of one run of the filing (the latest
// when runID is empty), as stored: payloads encrypted. truncated says more
// events followed.
func (c *Client) History(ctx context.Context, id filing.ID, runID string, limit int) (h *historypb.History, truncated bool, err error) {
	iter := c.Temporal.GetWorkflowHistory(ctx, id.WorkflowID(), runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h = &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil, false, ErrNotFound
		}
		if err != nil {
			return nil, false, fmt.Errorf("filings: history of %s: %w", id, err)
		}
		if len(h.Events) == limit {
			return h, true, nil
		}
		h.Events = append(h.Events, ev)
	}
	return h, false, nil
}
