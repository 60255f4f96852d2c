package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/store"
	"github.com/beianflow/beianflow/workflows"
)

// timelineEntry is one event of the audit trail.
type timelineEntry struct {
	Seq       int64              `json:"seq"`
	At        time.Time          `json:"at"`
	Actor     string             `json:"actor"`
	Action    string             `json:"action"`
	FromStage string             `json:"from_stage,omitempty"`
	ToStage   string             `json:"to_stage,omitempty"`
	Detail    string             `json:"detail,omitempty"`
	Reasons   []workflows.Reason `json:"reasons"`
}

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
		return unavailable("the database")
	}
	events, err := s.events.List(ctx, id)
	if err != nil {
		return unavailable("the database")
	}
	out := make([]timelineEntry, len(events))
	for i, e := range events {
		out[i] = timelineEntry{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			FromStage: e.FromStage, ToStage: e.ToStage, Detail: e.Detail, Reasons: []workflows.Reason{}}
		_ = json.Unmarshal([]byte(e.Reasons), &out[i].Reasons)
	}
	return c.JSON(http.StatusOK, map[string]any{"filing_id": id, "events": out})
}
