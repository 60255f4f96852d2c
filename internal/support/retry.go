package support

import (
	"context"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/beianflow/beianflow/filing"
)

// ErrWorkflowTaskFailing means the filing's workflow code itself fails; running
// it again changes nothing until the code is fixed or rolled back.
var ErrWorkflowTaskFailing = errors.New("support: the filing's workflow task is failing")

// ErrNothingToRetry means no activity of the filing is failing.
var ErrNothingToRetry = errors.New("support: no activity of the filing is failing")

// Retry re-runs the filing's failing activities now: Temporal's
// ResetActivity schedules each at once with its attempts starting over (and
// resumes it if it was paused). An activity is failing from its second
// attempt, or when it is paused. identity names who asked, in Temporal's
// records.
//
// A filing whose workflow task fails is ErrWorkflowTaskFailing (a fix must
// be deployed first); one without failing activities ErrNothingToRetry; an
// ended one filings.ErrClosed.
func (s *Service) Retry(ctx context.Context, filingID filing.ID, identity string) (*filing.RetryResult, error) {
	d, err := s.describeRunning(ctx, filingID)
	if err != nil {
		return nil, err
	}
	if wt := d.GetPendingWorkflowTask(); wt != nil && wt.GetAttempt() > 1 {
		return nil, ErrWorkflowTaskFailing
	}
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	res := &filing.RetryResult{FilingID: filingID, Retried: []filing.RetriedActivity{}}
	for _, a := range d.GetPendingActivities() {
		if a.GetAttempt() < 2 && !a.GetPaused() {
			continue
		}
		_, err := s.Filings.Temporal.WorkflowService().ResetActivity(ctx, &workflowservice.ResetActivityRequest{
			Namespace: ns,
			Execution: &commonpb.WorkflowExecution{WorkflowId: d.GetWorkflowExecutionInfo().GetExecution().GetWorkflowId(), RunId: d.GetWorkflowExecutionInfo().GetExecution().GetRunId()},
			Identity:  identity,
			Activity:  &workflowservice.ResetActivityRequest_Id{Id: a.GetActivityId()},
		})
		if isNotFound(err) {
			continue // it completed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("support: reset activity %s of filing %s: %w", a.GetActivityId(), filingID, err)
		}
		res.Retried = append(res.Retried, filing.RetriedActivity{ActivityID: a.GetActivityId(), ActivityType: a.GetActivityType().GetName(),
			AttemptBefore: a.GetAttempt(), LastFailure: truncate(a.GetLastFailure().GetMessage(), maxFailureRunes)})
	}
	if len(res.Retried) == 0 {
		return nil, ErrNothingToRetry
	}
	return res, nil
}
