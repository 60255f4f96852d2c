package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/reasons"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/workbench"
	"github.com/beianflow/beianflow/rules"
)

// workbenchReviews is what the reviewers' workbench reads and does,
// through the same code as the JSON routes: the same claims, the same
// catalogue check, the same access log.
type workbenchReviews struct{ s *server }

var _ workbench.Reviews = workbenchReviews{}

// Queue is the queue's first 100 filings, as GET /v1/review-queues lists them.
func (r workbenchReviews) Queue(c echo.Context, q filing.Queue) ([]filing.QueuedRow, error) {
	page, err := r.s.queuePage(c, q, url.Values{"limit": {"100"}})
	return page.Items, err
}

// Filing is the filing's review: its state, claim, current application
// (the read recorded), materials, checks run again and the queue's reasons.
func (r workbenchReviews) Filing(c echo.Context, id filing.ID) (workbench.Filing, error) {
	s := r.s
	ctx := c.Request().Context()
	st, live := s.stateForReading(ctx, id)
	if !live {
		return workbench.Filing{}, notFound(id)
	}
	f := workbench.Filing{State: st, Queue: waitingQueue(st), Materials: materialsOf(st), RuleSetVersion: rules.DefaultRuleSet().Version()}
	if f.Queue != "" {
		for _, cr := range reasons.Default().Public().Reasons {
			if cr.Queue == f.Queue {
				f.Reasons = append(f.Reasons, cr)
			}
		}
		claim, err := s.claims.Get(ctx, id, s.Now())
		switch {
		case err == nil:
			v := claimView(claim)
			f.Claim = &v
		case !errors.Is(err, store.ErrNotFound):
			s.Log.WarnContext(ctx, "workbench: review claims unavailable", "filing_id", id, "err", err)
		}
	}
	read, err := s.applicationRead(c, id, "")
	var he *httpx.Error
	switch {
	case err == nil:
		f.Application = &read
		for _, kv := range flatten(read.Application) {
			f.Fields = append(f.Fields, workbench.Field{Path: kv.path, Value: fmt.Sprint(kv.value)})
		}
		now, rs := s.Now(), rules.DefaultRuleSet()
		f.Findings = rules.Validate(read.Application, now, rs)
		f.Required = rules.RequiredMaterials(read.Application, now, rs)
	case errors.As(err, &he) && he.Code == filing.CodeRevisionNotFound:
		// Nothing saved yet: the page says so.
	default:
		return workbench.Filing{}, err
	}
	return f, nil
}

// Document is the n-th material's bytes, the read recorded first.
func (r workbenchReviews) Document(c echo.Context, id filing.ID, n int) (workbench.Document, error) {
	s := r.s
	ctx := c.Request().Context()
	st, live := s.stateForReading(ctx, id)
	if !live {
		return workbench.Document{}, notFound(id)
	}
	if s.erased(ctx, id) {
		return workbench.Document{}, personalDataErased()
	}
	ms := materialsOf(st)
	if n >= len(ms) {
		return workbench.Document{}, &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeFilingNotFound,
			Message: "the filing has no such material"}
	}
	m := ms[n]
	// The read is recorded before the bytes leave.
	if err := s.recordReads(c, id, readOf(m)); err != nil {
		return workbench.Document{}, err
	}
	body, _, err := s.Documents.Get(ctx, m.ObjectKey, documents.MaxDocumentSize)
	if err != nil {
		return workbench.Document{}, err
	}
	// The type is what the bytes are, as the store verified at attach
	// time, not what the uploader declared.
	return workbench.Document{ContentType: documents.Sniff(body), Body: body}, nil
}

// Claim claims the filing as POST /v1/filings/{id}/claim does.
func (r workbenchReviews) Claim(c echo.Context, id filing.ID) error {
	_, err := r.s.claim(c, id)
	return err
}

// Release ends the caller's claim (support: anyone's).
func (r workbenchReviews) Release(c echo.Context, id filing.ID) error {
	return r.s.releaseFor(c, id)
}

// Decide decides the review the filing waits in, as the decision routes do.
func (r workbenchReviews) Decide(c echo.Context, id filing.ID, req filing.DecisionRequest) error {
	queue, herr := r.s.queueOf(c, id)
	if herr != nil {
		return herr
	}
	update := filing.InitialReviewDecision.Name
	if queue == filing.QueuePhoto {
		update = filing.PhotoReviewDecision.Name
	}
	return r.s.decide(c, id, update, queue, req)
}

// waitingQueue is the review queue the filing waits in, or "".
func waitingQueue(st filing.State) filing.Queue {
	for _, q := range filing.Queues() {
		if stage, step, _ := q.Wait(); st.Stage == stage && st.Step == step {
			return q
		}
	}
	return ""
}

// readOf is how the access log names a read of the material.
func readOf(m filing.MaterialRead) string {
	if m.Kind == filing.MaterialPhoto {
		return "photo " + m.Person + " " + m.ObjectKey
	}
	return "material " + string(m.Kind) + " " + m.ObjectKey
}

// materialsOf lists the filing's materials and photos, in the order the
// materials listing and the workbench number them.
func materialsOf(st filing.State) []filing.MaterialRead {
	var out []filing.MaterialRead
	for _, m := range st.Materials {
		at := m.AttachedAt.UTC()
		out = append(out, filing.MaterialRead{Kind: m.Kind, ObjectKey: m.ObjectKey, Size: m.Size, SHA256: m.SHA256, AttachedAt: &at, Verified: true})
	}
	for _, v := range st.Verifications {
		if v.PhotoKey != "" {
			out = append(out, filing.MaterialRead{Kind: filing.MaterialPhoto, ObjectKey: v.PhotoKey, Person: v.Person, Verified: true})
		}
	}
	return out
}
