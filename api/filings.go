package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
	"github.com/beianflow/beianflow/store"
	"github.com/beianflow/beianflow/workflows"
)

// createFilingRequest starts a filing of type 新增网站 for a subject whose
// original filing is at another provider.
type createFilingRequest struct {
	// AccountID is the provider account the filing belongs to (opaque).
	AccountID string `json:"account_id"`
	// Province is the ISO 3166-2:CN code of the subject's province, e.g. "ZJ".
	Province string `json:"province"`
	// Domain is the website's domain, Unicode or punycode.
	Domain string `json:"domain"`
}

// filingResponse is a filing's state as callers see it. Source says whether
// it is live from the workflow or from the read model (closed filings, or
// Temporal unreachable).
type filingResponse struct {
	workflows.FilingState
	WorkflowID string `json:"workflow_id"`
	Source     string `json:"source"`
}

var accountIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// validate checks the request's shape, then applies the same province rules
// as the dry run and the workflow to what the request carries, so a filing
// that could never pass (say, a domain under a TLD MIIT has not approved)
// is refused before it starts.
func (r *createFilingRequest) validate(asOf time.Time, rs *rules.RuleSet) (rules.Province, rules.Domain, *Error) {
	if r.AccountID == "" {
		return rules.Province{}, rules.Domain{}, badRequest(CodeRequired, "account_id", "account_id is required")
	}
	if !accountIDPattern.MatchString(r.AccountID) {
		return rules.Province{}, rules.Domain{}, badRequest(CodeInvalidValue, "account_id",
			"account_id must be 1-64 letters, digits or _.:- and start with a letter or digit")
	}
	if r.Province == "" {
		return rules.Province{}, rules.Domain{}, badRequest(CodeRequired, "province", "province is required")
	}
	p, ok := rules.LookupProvince(r.Province)
	if !ok {
		return rules.Province{}, rules.Domain{}, badRequest(CodeInvalidValue, "province",
			"province must be an ISO 3166-2:CN code such as ZJ or CN-ZJ")
	}
	if r.Domain == "" {
		return rules.Province{}, rules.Domain{}, badRequest(CodeRequired, "domain", "domain is required")
	}
	d, err := rules.ParseDomain(r.Domain)
	if err != nil {
		return rules.Province{}, rules.Domain{}, badRequest(CodeInvalidValue, "domain", "domain is not a valid domain name")
	}
	if !d.IsRegistrable() {
		return rules.Province{}, rules.Domain{}, badRequest(CodeInvalidValue, "domain",
			"file the registrable domain %s, not a subdomain", d.Registrable)
	}
	partial := filing.Application{
		Subject:  filing.Subject{Province: p.Code},
		Websites: []filing.Website{{Domain: r.Domain}},
	}
	for _, v := range rules.Validate(partial, asOf, rs) {
		if v.Field == "websites[0].domain" && v.Code != rules.CodeRequired {
			return rules.Province{}, rules.Domain{}, badRequest(string(v.Code), "domain", "%s", v.Message.EN)
		}
	}
	return p, d, nil
}

func (s *server) createFiling(c echo.Context) error {
	var req createFilingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	now := s.Now()
	rs, cal := rules.DefaultRuleSet(), calendar.Default()
	province, domain, verr := req.validate(now, rs)
	if verr != nil {
		return verr
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("generate filing ID: %w", err)
	}
	in := workflows.FilingInput{
		FilingID:   id.String(),
		AccountID:  req.AccountID,
		Province:   province.Code,
		FilingType: string(filing.TypeNewWebsiteElsewhere),
		Domain:     domain.ASCII,
		CreatedAt:  now.UTC(),
		// The versions of the rules and calendar this filing was checked
		// and scheduled with, for audits and for replays.
		RuleSetVersion:  rs.Version(),
		CalendarVersion: cal.Version(),
	}
	wfID := workflows.WorkflowID(in.FilingID)
	_, err = s.Temporal.ExecuteWorkflow(c.Request().Context(), client.StartWorkflowOptions{
		ID:                       wfID,
		TaskQueue:                s.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrStage.ValueSet(string(workflows.StageDraft)),
			workflows.AttrProvince.ValueSet(in.Province),
			workflows.AttrFilingType.ValueSet(in.FilingType),
		),
		StaticSummary: fmt.Sprintf("新增网站 filing · %s (%s) · %s", province.Name, province.Code, domain.Unicode),
		StaticDetails: fmt.Sprintf("Filing `%s` of account `%s`, type `%s`, created %s.",
			in.FilingID, in.AccountID, in.FilingType, in.CreatedAt.Format(time.RFC3339)),
	}, workflows.FilingWorkflowName, in)
	if err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return &Error{Status: http.StatusConflict, Code: CodeFilingExists, Message: "a filing with this ID already exists"}
		}
		return temporalError(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/filings/"+in.FilingID)
	return c.JSON(http.StatusCreated, filingResponse{
		FilingState: workflows.FilingState{
			FilingID:        in.FilingID,
			AccountID:       in.AccountID,
			Province:        in.Province,
			FilingType:      in.FilingType,
			Domain:          in.Domain,
			RuleSetVersion:  in.RuleSetVersion,
			CalendarVersion: in.CalendarVersion,
			Stage:           workflows.StageDraft,
			WaitingOn:       workflows.PartyApplicant,
			CreatedAt:       in.CreatedAt,
			UpdatedAt:       in.CreatedAt,
			Timeline:        []workflows.StageChange{},
		},
		WorkflowID: wfID,
		Source:     "request",
	})
}

// filingID validates the path parameter. IDs are UUIDs we minted; anything
// else cannot exist, so it is a 404 without asking Temporal.
func filingID(c echo.Context) (string, *Error) {
	id := c.Param("id")
	u, err := uuid.Parse(id)
	if err != nil || u.String() != strings.ToLower(id) {
		return "", notFound(id)
	}
	return u.String(), nil
}

func (s *server) getFiling(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	ctx := c.Request().Context()
	resp, err := s.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{
		WorkflowID: workflows.WorkflowID(id),
		QueryType:  workflows.QueryState,
		// A closed filing is answered from the read model: querying it
		// would make a worker replay its whole history.
		QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN,
	})
	if err == nil && resp.QueryRejected == nil {
		var st workflows.FilingState
		if err := resp.QueryResult.Get(&st); err != nil {
			return fmt.Errorf("decode state of filing %s: %w", id, err)
		}
		return c.JSON(http.StatusOK, filingResponse{FilingState: st, WorkflowID: workflows.WorkflowID(id), Source: "workflow"})
	}
	if err != nil && !isNotFound(err) {
		// Temporal is unreachable or failing: the read model still answers.
		s.Log.WarnContext(ctx, "state query failed; answering from the read model", "filing_id", id, "err", err)
	}
	return s.readModelResponse(ctx, c, id, err)
}

func (s *server) readModelResponse(ctx context.Context, c echo.Context, id string, temporalErr error) error {
	f, err := s.filings.Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if temporalErr != nil && !isNotFound(temporalErr) {
			return temporalError(temporalErr)
		}
		return notFound(id)
	case err != nil:
		s.Log.ErrorContext(ctx, "read model unavailable", "filing_id", id, "err", err)
		return unavailable("the database")
	}
	return c.JSON(http.StatusOK, fromReadModel(f))
}

func fromReadModel(f store.Filing) filingResponse {
	return filingResponse{
		FilingState: workflows.FilingState{
			FilingID:        f.ID,
			AccountID:       f.AccountID,
			Province:        f.Province,
			FilingType:      f.FilingType,
			Domain:          f.Domain,
			RuleSetVersion:  f.RuleSetVersion,
			CalendarVersion: f.CalendarVersion,
			Stage:           workflows.Stage(f.Stage),
			WaitingOn:       workflows.Party(f.WaitingOn),
			Revision:        f.Revision,
			CreatedAt:       f.CreatedAt.UTC(),
			UpdatedAt:       f.UpdatedAt.UTC(),
			// The read model keeps no timeline; the audit trail will.
			Timeline: []workflows.StageChange{},
		},
		WorkflowID: f.WorkflowID,
		Source:     "read_model",
	}
}

type cancelFilingRequest struct {
	Reason string `json:"reason"`
}

var reasonPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// cancelFiling cancels a filing before bureau submission. Cancelling an
// already cancelled filing answers 200 with its state, so a retried request
// is harmless.
func (s *server) cancelFiling(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	var req cancelFilingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Reason == "" {
		req.Reason = "user_request"
	}
	// A reason code, not free text: free text invites personal data into
	// the workflow history.
	if !reasonPattern.MatchString(req.Reason) {
		return badRequest(CodeInvalidValue, "reason", "reason must be a snake_case code such as user_request")
	}
	ctx := c.Request().Context()
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.WorkflowID(id),
		UpdateName:   workflows.UpdateCancel,
		Args:         []any{workflows.CancelRequest{Reason: req.Reason}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var st workflows.FilingState
	if err == nil {
		err = handle.Get(ctx, &st)
	}
	if err == nil {
		return c.JSON(http.StatusOK, filingResponse{FilingState: st, WorkflowID: workflows.WorkflowID(id), Source: "workflow"})
	}
	if isStageMismatch(err) || isNotFound(err) {
		f, rerr := s.filings.Get(ctx, id)
		switch {
		case errors.Is(rerr, store.ErrNotFound):
			return notFound(id)
		case rerr != nil:
			return unavailable("the database")
		case f.Stage == string(workflows.StageCancelled):
			return c.JSON(http.StatusOK, fromReadModel(f))
		default:
			return &Error{Status: http.StatusConflict, Code: CodeStageConflict,
				Message: fmt.Sprintf("the filing cannot be cancelled in stage %s", f.Stage)}
		}
	}
	return temporalError(err)
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

func isStageMismatch(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeStageMismatch
}

// temporalError maps a Temporal client failure to 503 when Temporal is
// unreachable or overloaded; anything else is unexpected (500).
func temporalError(err error) error {
	var unavail *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &unavail) || errors.As(err, &exhausted) || errors.As(err, &deadline) ||
		errors.Is(err, context.DeadlineExceeded) {
		return unavailable("the workflow service")
	}
	return fmt.Errorf("temporal: %w", err)
}
