package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
)

// healthz says the process is up; it checks nothing else so that a
// dependency outage does not get the process restarted.
func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz checks every dependency in parallel with a short timeout and
// answers 503 naming the ones that failed.
func (s *server) readyz(c echo.Context) error {
	return s.ready(c, map[string]func(context.Context) error{
		"temporal": func(ctx context.Context) error {
			_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
		"database": s.DB.Ping,
		"s3":       s.Documents.Ping,
	})
}

// ready runs checks in parallel with a short timeout and answers 503
// naming the ones that failed.
func (s *server) ready(c echo.Context, checks map[string]func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	res := readiness{Status: "ready", Checks: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := "ok"
			if err := check(ctx); err != nil {
				status = "unavailable"
				s.Log.WarnContext(ctx, "readiness check failed", "check", name, "err", err)
			}
			mu.Lock()
			res.Checks[name] = status
			mu.Unlock()
		}()
	}
	wg.Wait()
	code := http.StatusOK
	for _, st := range res.Checks {
		if st != "ok" {
			res.Status, code = "not_ready", http.StatusServiceUnavailable
		}
	}
	return c.JSON(code, res)
}
