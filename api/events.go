package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/httpx"
)

// eventParams are the query parameters of the event feed.
var eventParams = []string{"after", "limit"}

// listEvents answers GET /v1/events: the feed of every event of the
// caller's account (support: of every account), oldest first, after the
// cursor. A backend that was down catches up from its last cursor.
func (s *server) listEvents(c echo.Context) error {
	p := auth.PrincipalOf(c)
	q, perr := parseEventQuery(c.QueryParams())
	if perr != nil {
		return perr
	}
	if p.Role == RoleBackend {
		if p.AccountID == "" {
			return &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
				Message: "this API key is not bound to a provider account"}
		}
		q.AccountID = p.AccountID
	}
	return s.eventPage(c, q)
}

// filingEvents answers GET /v1/filings/{id}/events: the feed of one filing.
func (s *server) filingEvents(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	q, perr := parseEventQuery(c.QueryParams())
	if perr != nil {
		return perr
	}
	q.FilingID = id
	return s.eventPage(c, q)
}

func (s *server) eventPage(c echo.Context, q feed.Query) error {
	events, next, err := feed.List(c.Request().Context(), s.DB, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, filing.EventPage{Events: events, NextCursor: next.String()})
}

// parseEventQuery reads after and limit (1..feed.MaxLimit).
func parseEventQuery(v url.Values) (feed.Query, *httpx.Error) {
	var q feed.Query
	if e := checkParams(v, eventParams); e != nil {
		return q, e
	}
	after, e := single(v, "after")
	if e != nil {
		return q, e
	}
	cursor, err := feed.ParseCursor(after)
	if errors.Is(err, feed.ErrBadCursor) {
		return q, httpx.BadRequest(filing.CodeInvalidCursor, "after", "after must be a next_cursor the event feed returned")
	}
	q.After = cursor
	limit, e := single(v, "limit")
	if e != nil {
		return q, e
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > feed.MaxLimit {
			return q, httpx.BadRequest(filing.CodeInvalidValue, "limit", "limit must be a whole number from 1 to %d", feed.MaxLimit)
		}
		q.Limit = n
	}
	return q, nil
}
