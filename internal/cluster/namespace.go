package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/beianflow/beianflow/workflows"
)

// prepareNamespace registers the namespace and beianflow's search
// attributes through the frontend, as an operator does once per cluster
// (Temporal's Helm chart leaves it to them), then waits until the frontend
// answers a query on those attributes: its namespace cache refreshes on
// its own schedule.
func prepareNamespace(ctx context.Context, hostPort, namespace string) error {
	c, err := dialUntil(ctx, hostPort)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(72 * time.Hour),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("cluster: register namespace %s: %w", namespace, err)
	}
	want := map[string]enumspb.IndexedValueType{}
	for _, k := range workflows.SearchAttributeKeys() {
		want[k.GetName()] = k.GetValueType()
	}
	// The operator API refuses to add an attribute the namespace has.
	if err := retryUntil(ctx, func() error {
		have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		if err != nil {
			return err
		}
		missing := map[string]enumspb.IndexedValueType{}
		for name, typ := range want {
			if _, ok := have.GetCustomAttributes()[name]; !ok {
				missing[name] = typ
			}
		}
		if len(missing) == 0 {
			return nil
		}
		_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace: namespace, SearchAttributes: missing})
		if err == nil {
			err = errors.New("search attributes added; checking")
		}
		return err
	}); err != nil {
		return fmt.Errorf("cluster: search attributes of %s: %w", namespace, err)
	}
	query := fmt.Sprintf("%s = 'none'", workflows.AttrStage.GetName())
	return retryUntil(ctx, func() error {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		return err
	})
}

// dialUntil connects to the frontend, retrying until it answers its
// health check or ctx ends.
func dialUntil(ctx context.Context, hostPort string) (client.Client, error) {
	var c client.Client
	err := retryUntil(ctx, func() error {
		var err error
		c, err = client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: "temporal-system",
			// The retries above would fill the terminal while the frontend comes up.
			Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
		if err != nil {
			return err
		}
		if _, err = c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			c.Close()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: Temporal frontend at %s: %w", hostPort, err)
	}
	return c, nil
}

// retryUntil calls fn every 200 ms until it succeeds or ctx ends, and
// returns its last error with ctx's.
func retryUntil(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
