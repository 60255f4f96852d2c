// Package worker wires the filing workflow and its activities into a
// Temporal worker.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/telemetry"
	"github.com/beianflow/beianflow/workflows"
)

// New returns a worker for taskQueue with every workflow and activity
// registered. The caller starts and stops it; stopping waits up to
// stopTimeout for running activities to finish (zero: the SDK's default),
// after which Temporal retries the ones cut short on another worker.
//
// The workflows' and activities' loggers name the filing and the API
// request they act for (telemetry.NewWorkerInterceptor); the client's
// interceptors (tracing) apply as well.
func New(c client.Client, taskQueue string, acts *activities.Activities, stopTimeout time.Duration) worker.Worker {
	w := worker.New(c, taskQueue, worker.Options{
		WorkerStopTimeout: stopTimeout,
		Interceptors:      []interceptor.WorkerInterceptor{telemetry.NewWorkerInterceptor()},
	})
	Register(w, acts)
	return w
}

// WorkflowRegistry is anything workflows are registered on: a worker, the
// time-skipping test environment or a history replayer.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Registry also takes activities.
type Registry interface {
	WorkflowRegistry
	RegisterActivity(a any)
}

// RegisterWorkflows registers every workflow under its stable name, so
// workers, tests and replayers see exactly the same names.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.FilingWorkflow, workflow.RegisterOptions{Name: filing.WorkflowName})
}

// Register registers every workflow and the activities.
func Register(r Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(acts)
}
