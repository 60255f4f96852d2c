package filings

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/mocks"
)

// Under load the server may answer a query "no poller seen for task queue
// recently, worker may be down" (FailedPrecondition): the workers are down
// or too busy to poll, which the API answers 503 like any outage, or from
// the read model, never 500.
func TestAQueryNoWorkerPolledForIsUnavailableNotAFailure(t *testing.T) {
	tc := &mocks.Client{}
	tc.On("QueryWorkflowWithOptions", mock.Anything, mock.Anything).
		Return(nil, serviceerror.NewFailedPrecondition("no poller seen for task queue recently, worker may be down"))
	c := &Client{Temporal: tc}
	_, err := c.State(context.Background(), "01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d")
	var unavailable *serviceerror.Unavailable
	assert.True(t, errors.As(err, &unavailable), "%v", err)
	assert.NotErrorIs(t, err, ErrNotFound)
}
