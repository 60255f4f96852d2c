package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
)

// notFound is the answer for a filing that does not exist, or that the
// caller may not see.
func notFound(id filing.ID) *httpx.Error {
	return &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeFilingNotFound, Message: "no filing with ID " + string(id)}
}

// noSuchFiling answers a filing ID that is no UUID: it is the caller's
// input and is not echoed back.
func noSuchFiling() *httpx.Error {
	return &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeFilingNotFound, Message: "no such filing"}
}

// filingEnded answers an action or a question that only a running filing
// can take.
func filingEnded() *httpx.Error {
	return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeFilingClosed, Message: "the filing has ended"}
}

// filingID validates the path parameter. IDs are UUIDs we minted; anything
// else cannot exist, so it is a 404 without asking Temporal.
func filingID(c echo.Context) (filing.ID, *httpx.Error) {
	id, err := filing.ParseID(c.Param("id"))
	if err != nil {
		return "", noSuchFiling()
	}
	return id, nil
}

// visible hides filings of other accounts from backend callers. It answers
// exactly as for a filing that does not exist, so a caller cannot probe for
// other accounts' filings.
func visible(c echo.Context, id filing.ID, account string) *httpx.Error {
	if auth.PrincipalOf(c).Sees(account) {
		return nil
	}
	return notFound(id)
}

// ownedFiling returns the filing ID of the path if the caller may see that
// filing. Backend callers are checked against the filing's account: the
// read model answers (its row is written before the workflow starts), and
// the workflow itself for filings whose row is not there.
func (s *server) ownedFiling(c echo.Context) (filing.ID, error) {
	id, _, err := s.ownedRow(c)
	return id, err
}

// ownedRow is ownedFiling that also returns the read model's row when it
// read it (for backend callers; nil otherwise), for a handler that needs
// no more than the row.
func (s *server) ownedRow(c echo.Context) (filing.ID, *store.Filing, error) {
	id, perr := filingID(c)
	if perr != nil {
		return "", nil, perr
	}
	p := auth.PrincipalOf(c)
	if p.Role != RoleBackend {
		return id, nil, nil
	}
	ctx := c.Request().Context()
	f, err := s.filings.Get(ctx, id)
	switch {
	case err == nil:
		if verr := visible(c, id, f.AccountID); verr != nil {
			return "", nil, verr
		}
		return id, &f, nil
	case !errors.Is(err, store.ErrNotFound):
		// The database is down; the workflow knows its account too.
		s.Log.WarnContext(ctx, "read model unavailable; asking the workflow for the owner", "filing_id", id, "err", err)
	}
	dbDown := err != nil && !errors.Is(err, store.ErrNotFound)
	st, err := s.client.State(ctx, id)
	if err != nil {
		if dbDown && errors.Is(err, filings.ErrClosed) {
			return "", nil, httpx.Unavailable("the database") // a closed filing's owner is only in the read model
		}
		if errors.Is(err, filings.ErrNotFound) || errors.Is(err, filings.ErrClosed) {
			return "", nil, notFound(id)
		}
		return "", nil, temporalError(err)
	}
	if verr := visible(c, id, st.AccountID); verr != nil {
		return "", nil, verr
	}
	return id, nil, nil
}

func (s *server) getFiling(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	return s.answerFiling(c, id)
}

// answerFiling answers the state of a filing the caller may see: live
// from the workflow, else from the read model.
func (s *server) answerFiling(c echo.Context, id filing.ID) error {
	ctx := c.Request().Context()
	st, err := s.client.State(ctx, id)
	if err == nil {
		return c.JSON(http.StatusOK, s.live(st))
	}
	var closed *filings.ClosedError
	if errors.As(err, &closed) && closed.Completed() {
		// The final state has what the read model does not keep: the
		// filing number, the timeline, the references. Terminated and
		// failed runs have none.
		final, ferr := s.client.Final(ctx, id)
		if ferr == nil {
			return c.JSON(http.StatusOK, filing.View{State: final, WorkflowID: id.WorkflowID(), Source: filing.SourceWorkflowResult})
		}
		s.Log.DebugContext(ctx, "no final state; answering from the read model", "filing_id", id, "err", ferr)
	}
	if !errors.Is(err, filings.ErrNotFound) && !errors.Is(err, filings.ErrClosed) {
		// Temporal is unreachable or failing: the read model still answers.
		s.Log.WarnContext(ctx, "state query failed; answering from the read model", "filing_id", id, "err", err)
	}
	return s.readModelResponse(ctx, c, id, err)
}

// live wraps a workflow state, adding the business days left.
func (s *server) live(st filing.State) filing.View {
	out := filing.View{State: st, WorkflowID: st.FilingID.WorkflowID(), Source: filing.SourceWorkflow}
	if st.Deadline != nil && st.DeadlineBusinessDays > 0 {
		n, _ := calendar.Default().BusinessDaysBetween(s.Now(), *st.Deadline)
		out.BusinessDaysLeft = &n
	}
	return out
}

func (s *server) readModelResponse(ctx context.Context, c echo.Context, id filing.ID, temporalErr error) error {
	f, err := s.filings.Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if temporalErr != nil && !errors.Is(temporalErr, filings.ErrNotFound) && !errors.Is(temporalErr, filings.ErrClosed) {
			return temporalError(temporalErr)
		}
		return notFound(id)
	case err != nil:
		s.Log.ErrorContext(ctx, "read model unavailable", "filing_id", id, "err", err)
		return httpx.Unavailable("the database")
	}
	return c.JSON(http.StatusOK, filing.ViewOf(f.Row(s.Now())))
}

// temporalError maps a Temporal client failure to 503 when Temporal is
// unreachable or overloaded; anything else is unexpected (500).
func temporalError(err error) error {
	var unavail *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavail) || errors.As(err, &exhausted) || errors.As(err, &deadline) ||
		errors.Is(err, context.DeadlineExceeded) {
		return httpx.Unavailable("the workflow service")
	}
	return fmt.Errorf("temporal: %w", err)
}
