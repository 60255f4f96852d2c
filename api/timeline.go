package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	supportsvc "github.com/beianflow/beianflow/internal/support"
)

// timeline answers the filing's audit trail: who did what, when, from
// which stage to which, and why. It is written by the workflow as events
// happen, so it may trail the live state by a moment.
func (s *server) timeline(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	ctx := c.Request().Context()
	if _, err := s.filings.Get(ctx, id); errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	} else if err != nil {
		return httpx.Unavailable("the database")
	}
	out, err := supportsvc.AuditTrail(ctx, s.DB, id)
	if err != nil {
		return httpx.Unavailable("the database")
	}
	return c.JSON(http.StatusOK, filing.Timeline{FilingID: id, Events: out})
}
