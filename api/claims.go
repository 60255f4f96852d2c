package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/reasons"
	"github.com/beianflow/beianflow/internal/store"
)

// Review work is a queue: a reviewer claims a filing, and no other
// reviewer decides it while the claim lasts (BEIANFLOW_REVIEW_CLAIM_TTL).
// Deciding claims the filing too, so a decision always comes from the
// claimant.

// claimFiling answers POST /v1/filings/{id}/claim: the caller holds the
// filing (a new claim, or their own renewed), or 409 claim_held.
func (s *server) claimFiling(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	claim, err := s.claim(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, claimView(claim))
}

// claim claims the filing in its queue for the caller.
func (s *server) claim(c echo.Context, id filing.ID) (store.ReviewClaim, error) {
	queue, herr := s.queueOf(c, id)
	if herr != nil {
		return store.ReviewClaim{}, herr
	}
	claim, err := s.claims.Claim(c.Request().Context(), id, string(queue), actorOf(c), s.Now(), s.API.ReviewClaimTTL)
	if err != nil {
		return store.ReviewClaim{}, claimError(err)
	}
	return claim, nil
}

// releaseClaim answers DELETE /v1/filings/{id}/claim: the caller's claim
// ends (support may end anyone's); 204 also when there was none.
func (s *server) releaseClaim(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	if err := s.releaseFor(c, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// releaseFor ends the caller's claim on the filing; support ends anyone's.
func (s *server) releaseFor(c echo.Context, id filing.ID) error {
	holder := actorOf(c)
	if auth.PrincipalOf(c).Role == RoleSupport {
		holder = ""
	}
	return s.claims.Release(c.Request().Context(), id, holder)
}

// queueOf is the review queue the filing waits in, or 409 when it waits for
// no reviewer.
func (s *server) queueOf(c echo.Context, id filing.ID) (filing.Queue, *httpx.Error) {
	st, live := s.stateForReading(c.Request().Context(), id)
	switch {
	case !live:
		return "", notFound(id)
	case st.Stage == filing.StageInitialReview && st.Step == filing.StepAwaitingReviewer:
		return filing.QueueInitial, nil
	case st.Stage == filing.StagePhotoVerification && st.Step == filing.StepPhotoReview:
		return filing.QueuePhoto, nil
	}
	return "", &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageConflict,
		Message: "the filing waits for no reviewer (stage " + string(st.Stage) + ", step " + string(st.Step) + ")"}
}

// decision registers a reviewer's decision: the caller claims the filing
// (or renews their claim) before the update is sent, so a filing another
// reviewer holds is refused, and the claim ends with the decision.
func decision(s *server, v1 *router, path string, u filing.Update[filing.DecisionRequest], queue filing.Queue) {
	v1.add(http.MethodPost, "/filings/:id/"+path, func(c echo.Context) error {
		id, req, err := ownedWith(s, c, body[filing.DecisionRequest])
		if err != nil {
			return err
		}
		if err := s.decide(c, id, u.Name, queue, req); err != nil {
			return err
		}
		return s.answerAction(c, id)
	}, RoleReviewer, RoleSupport)
}

// decide checks a decision's reasons against the catalogue, claims the
// filing for the caller and sends the decision; the API and the workbench
// both decide through it.
func (s *server) decide(c echo.Context, id filing.ID, update string, queue filing.Queue, req filing.DecisionRequest) error {
	// Reasons come from the catalogue, whose words the applicant then
	// sees; the reviewer's message only adds to them.
	if !req.Approve {
		applied, bad := reasons.Default().Apply(queue, req.Reasons)
		if bad >= 0 {
			return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction,
				Field:   "reasons[" + strconv.Itoa(bad) + "].code",
				Message: "not a reason of the " + string(queue) + " review's catalogue (GET /v1/review-reasons)"}
		}
		req.Reasons = applied
	}
	ctx := c.Request().Context()
	who := actorOf(c)
	if auth.PrincipalOf(c).Role == RoleSupport {
		// Support decides over anyone's claim (a reviewer gone for the
		// day, a filing stuck in review) and ends it.
		if err := s.send(c, id, update, req); err != nil {
			return err
		}
		if err := s.claims.Release(ctx, id, ""); err != nil {
			s.Log.WarnContext(ctx, "decision made; its claim stays until it expires", "filing_id", id, "err", err)
		}
		return nil
	}
	_, err := s.claims.Claim(ctx, id, string(queue), who, s.Now(), s.API.ReviewClaimTTL)
	switch {
	case errors.Is(err, store.ErrClaimHeld):
		return claimError(err)
	case err != nil:
		// The database is down. The decision still goes to the workflow,
		// which takes one decision per review and refuses any other (409):
		// a reviewer is not kept from work that Temporal can take.
		s.Log.WarnContext(ctx, "review claims unavailable; deciding without a claim", "filing_id", id, "err", err)
	}
	if err := s.send(c, id, update, req); err != nil {
		return err // the claim stays the caller's until it expires
	}
	if err := s.claims.Release(ctx, id, who); err != nil {
		s.Log.WarnContext(ctx, "decision made; its claim stays until it expires", "filing_id", id, "err", err)
	}
	return nil
}

// reviewReasons answers GET /v1/review-reasons: the catalogue reviewers
// reject from.
func (s *server) reviewReasons(c echo.Context) error {
	return c.JSON(http.StatusOK, reasons.Default().Public())
}

// actorOf names the caller as claims and the access log record it,
// "role:key"; never a person's name.
func actorOf(c echo.Context) string {
	p := auth.PrincipalOf(c)
	return string(p.Role) + ":" + p.KeyID
}

func claimView(c store.ReviewClaim) filing.ReviewClaim {
	return filing.ReviewClaim{FilingID: c.FilingID, Queue: filing.Queue(c.Queue), ClaimedBy: c.Reviewer,
		ClaimedAt: c.ClaimedAt.UTC(), ExpiresAt: c.ExpiresAt.UTC()}
}

func claimError(err error) error {
	var held *store.ClaimHeldError
	if errors.As(err, &held) {
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeClaimHeld,
			Message: "another reviewer is working on this filing until " + held.Claim.ExpiresAt.UTC().Format(time.RFC3339),
			Details: map[string]string{"claimed_by": held.Claim.Reviewer, "expires_at": held.Claim.ExpiresAt.UTC().Format(time.RFC3339)}}
	}
	return err
}
