// Package health answers the liveness and readiness probes of beianflow's
// HTTP servers. Liveness checks nothing, so that an outage of a dependency
// never gets a process restarted; readiness names every dependency that
// is down, so that a load balancer sends no traffic to it meanwhile.
package health

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Live says the process is up (GET /healthz).
func Live(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Ready runs checks, each reporting whether the dependency it is named
// for can be used, in parallel with a short timeout and answers 503 naming
// the ones that failed (GET /readyz). Failures are logged with their
// error; the answer gives only the names.
func Ready(c echo.Context, log *slog.Logger, checks map[string]func(context.Context) error) error {
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
				log.WarnContext(ctx, "readiness check failed", "check", name, "err", err)
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
