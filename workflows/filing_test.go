package workflows_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/worker"
	"github.com/beianflow/beianflow/workflows"
)

var start = time.Date(2026, 9, 21, 10, 0, 0, 0, time.UTC)

// newEnv returns a time-skipping environment whose read-model activity
// records every row it is asked to write.
func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *[]activities.FilingRecord) {
	t.Helper()
	env := newBareEnv()
	var rows []activities.FilingRecord
	var a *activities.Activities
	env.OnActivity(a.RecordFiling, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.FilingRecord) error { rows = append(rows, r); return nil })
	return env, &rows
}

// newBareEnv returns a time-skipping environment with the workflows
// registered, started as the real API starts them.
func newBareEnv() *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.WorkflowID(input().FilingID)})
	worker.Register(env, &activities.Activities{})
	return env
}

func input() workflows.FilingInput {
	return workflows.FilingInput{
		FilingID:   "01a227a5-be39-7787-9814-9c07e6468f61",
		AccountID:  "acc-1",
		Province:   "ZJ",
		FilingType: "new_website_elsewhere",
		Domain:     "example.com",
		CreatedAt:  start,
	}
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.FilingState {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var st workflows.FilingState
	require.NoError(t, env.GetWorkflowResult(&st))
	return st
}

func TestNewFilingWaitsForTheApplicantWithA45DayDeadline(t *testing.T) {
	env, rows := newEnv(t)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryState)
		require.NoError(t, err)
		var st workflows.FilingState
		require.NoError(t, v.Get(&st))
		assert.Equal(t, workflows.StageDraft, st.Stage)
		assert.Equal(t, workflows.PartyApplicant, st.WaitingOn)
		require.NotNil(t, st.Deadline)
		assert.Equal(t, start.Add(45*24*time.Hour), st.Deadline.UTC())
		require.Len(t, st.Timeline, 1)
		env.CancelWorkflow() // end the test; cancellation semantics are not under test here
	}, time.Hour)
	env.ExecuteWorkflow(workflows.FilingWorkflowName, input())

	require.Len(t, *rows, 1)
	assert.Equal(t, "draft", (*rows)[0].Stage)
	assert.Equal(t, int64(1), (*rows)[0].Revision)
	assert.Equal(t, workflows.WorkflowID(input().FilingID), (*rows)[0].WorkflowID)
	assert.False(t, (*rows)[0].Closed)
}

func TestIdleFilingExpiresAfter45Days(t *testing.T) {
	env, rows := newEnv(t)
	env.ExecuteWorkflow(workflows.FilingWorkflowName, input())

	st := result(t, env)
	assert.Equal(t, workflows.StageExpired, st.Stage)
	assert.Equal(t, start.Add(45*24*time.Hour), env.Now().UTC(), "expiry happens exactly at the end of the order lifetime")
	assert.Nil(t, st.Deadline)
	require.Len(t, *rows, 2)
	assert.Equal(t, "expired", (*rows)[1].Stage)
	assert.True(t, (*rows)[1].Closed)
	assert.Greater(t, (*rows)[1].Revision, (*rows)[0].Revision, "each stage change carries a newer revision")
}

func TestApplicantCancelsADraftFiling(t *testing.T) {
	env, rows := newEnv(t)
	var replied workflows.FilingState
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCancel, "cancel-1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { t.Errorf("cancel rejected: %v", err) },
			OnAccept:   func() {},
			OnComplete: func(v any, err error) { require.NoError(t, err); replied = v.(workflows.FilingState) },
		}, workflows.CancelRequest{Reason: "user_request"})
	}, 2*24*time.Hour)
	env.ExecuteWorkflow(workflows.FilingWorkflowName, input())

	st := result(t, env)
	assert.Equal(t, workflows.StageCancelled, st.Stage)
	assert.Equal(t, workflows.StageCancelled, replied.Stage, "the caller is answered with the final state")
	assert.Equal(t, start.Add(2*24*time.Hour), env.Now().UTC(), "cancellation ends the filing at once")
	require.Len(t, st.Timeline, 2)
	assert.Equal(t, "user_request", st.Timeline[1].Reason)
	require.Len(t, *rows, 2)
	assert.Equal(t, "cancelled", (*rows)[1].Stage)
	assert.True(t, (*rows)[1].Closed)
}

func TestReadModelFailureIsRetriedUntilTheDatabaseIsBack(t *testing.T) {
	env := newBareEnv()
	var a *activities.Activities
	calls := 0
	env.OnActivity(a.RecordFiling, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.FilingRecord) error {
			calls++
			if calls <= 3 {
				return assert.AnError // the database is down
			}
			return nil
		})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	env.ExecuteWorkflow(workflows.FilingWorkflowName, input())
	assert.GreaterOrEqual(t, calls, 4, "the write is retried, not given up")
}
