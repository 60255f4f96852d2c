package api

import (
	"context"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/internal/health"
)

// readyz checks every dependency of the API in parallel with a short
// timeout and answers 503 naming the ones that failed. /healthz
// (health.Live) checks none, so that an outage does not get the process
// restarted.
func (s *server) readyz(c echo.Context) error {
	return health.Ready(c, s.Log, map[string]func(context.Context) error{
		"temporal": func(ctx context.Context) error {
			_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
		"database": s.DB.Ping,
		"s3":       s.Documents.Ping,
	})
}
