package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// maxTimeScale bounds a requested time scale, as BEIANFLOW_TIME_SCALE is.
const maxTimeScale = 1e7

var accountIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// validateCreate checks the request's shape, then applies the same province rules
// as the dry run and the workflow to what it carries, so a filing that could
// never pass is refused before it starts. sandboxAllowed says whether this
// system accepts sandbox settings.
func validateCreate(r *filing.CreateRequest, asOf time.Time, rs *rules.RuleSet, sandboxAllowed bool) (rules.Province, rules.Domain, *httpx.Error) {
	fail := func(e *httpx.Error) (rules.Province, rules.Domain, *httpx.Error) {
		return rules.Province{}, rules.Domain{}, e
	}
	if r.AccountID == "" {
		return fail(httpx.BadRequest(filing.CodeRequired, "account_id", "account_id is required"))
	}
	if !accountIDPattern.MatchString(r.AccountID) {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "account_id",
			"account_id must be 1-64 letters, digits or _.:- and start with a letter or digit"))
	}
	if r.Subject.Province == "" {
		return fail(httpx.BadRequest(filing.CodeRequired, "subject.province", "subject.province is required"))
	}
	p, ok := rules.LookupProvince(r.Subject.Province)
	if !ok {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "subject.province", "subject.province must be an ISO 3166-2:CN code such as ZJ or CN-ZJ"))
	}
	r.Subject.Province = p.Code
	for _, f := range [][2]string{
		{"subject.nature", string(r.Subject.Nature)}, {"subject.certificate_type", string(r.Subject.CertificateType)},
		{"subject.certificate_number", r.Subject.CertificateNumber}, {"domain", r.Domain},
	} {
		if strings.TrimSpace(f[1]) == "" {
			return fail(httpx.BadRequest(filing.CodeRequired, f[0], "%s is required", f[0]))
		}
	}
	if (r.Product.InstanceID == "") == (r.Product.ServiceNumber == "") {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "product", "give exactly one of product.instance_id and product.service_number"))
	}
	if r.Sandbox != nil {
		switch ts := r.Sandbox.TimeScale; {
		case ts == nil:
			return fail(httpx.BadRequest(filing.CodeRequired, "sandbox.time_scale", "sandbox.time_scale is required"))
		case !(*ts >= 1 && *ts <= maxTimeScale):
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "sandbox.time_scale", "sandbox.time_scale must be a number from 1 to 10000000"))
		}
		// A production system never lets a caller compress a filing's
		// legal deadlines: only one that runs the sandbox world does.
		if !sandboxAllowed {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "sandbox",
				"sandbox settings are accepted only by a system that runs the sandbox world (beianflow dev, make run); leave sandbox out"))
		}
	}
	d, err := rules.ParseDomain(r.Domain)
	if err != nil {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "domain", "domain is not a valid domain name"))
	}
	if !d.IsRegistrable() {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "domain", "file the registrable domain %s, not a subdomain", d.Registrable))
	}
	// The rules for what the request carries: subject identity and domain.
	partial := partialApplication(*r)
	for _, v := range rules.Validate(partial, asOf, rs) {
		if v.Code == rules.CodeRequired {
			continue
		}
		switch {
		case v.Field == "websites[0].domain":
			return fail(httpx.RuleError(string(v.Code), "domain", v.Message.EN, v.Message.ZH))
		case strings.HasPrefix(v.Field, "subject.") && !strings.HasPrefix(v.Field, "subject.leader") &&
			!strings.Contains(v.Field, "address") && v.Field != "subject.name":
			return fail(httpx.RuleError(string(v.Code), v.Field, v.Message.EN, v.Message.ZH))
		case strings.HasPrefix(v.Field, "product"):
			return fail(httpx.RuleError(string(v.Code), v.Field, v.Message.EN, v.Message.ZH))
		}
	}
	return p, d, nil
}

// timeScale is the filing's time scale: the requested one (validated) or
// the configured default.
func timeScale(r filing.CreateRequest, configured float64) float64 {
	if r.Sandbox != nil && r.Sandbox.TimeScale != nil {
		return *r.Sandbox.TimeScale
	}
	return configured
}

// partialApplication is the partial application a creation describes.
func partialApplication(r filing.CreateRequest) filing.Application {
	return filing.Application{
		Subject: filing.Subject{
			Province: r.Subject.Province, Nature: r.Subject.Nature,
			CertificateType: r.Subject.CertificateType, CertificateNumber: r.Subject.CertificateNumber,
		},
		Websites: []filing.Website{{Domain: r.Domain}},
		Product:  filing.ProductVerification{ServiceNumber: r.Product.ServiceNumber, CloudInstance: instanceOf(r.Product)},
	}
}

func instanceOf(p filing.Product) *filing.CloudInstance {
	if p.InstanceID == "" {
		return nil
	}
	return &filing.CloudInstance{InstanceID: p.InstanceID}
}

// subjectKey identifies a subject without its certificate number: a keyed
// hash, so the key cannot be reversed by enumerating ID numbers.
func (s *server) subjectKey(province string, certType filing.CertificateType, number string) string {
	m := hmac.New(sha256.New, []byte(s.Process.SubjectKeySecret))
	m.Write([]byte(province + "|" + string(certType) + "|" + strings.ToUpper(strings.TrimSpace(number))))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *server) createFiling(c echo.Context) error {
	var req filing.CreateRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	// A backend key files for its own account only; account_id may be left
	// out and defaults to it.
	if p := auth.PrincipalOf(c); p.Role == RoleBackend {
		if req.AccountID == "" {
			req.AccountID = p.AccountID
		} else if req.AccountID != p.AccountID {
			return &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeAccountMismatch, Field: "account_id",
				Message: "this API key files for its own provider account only"}
		}
	}
	now := s.Now()
	rs, cal := rules.DefaultRuleSet(), calendar.Default()
	province, domain, verr := validateCreate(&req, now, rs, s.API.SandboxSettings)
	if verr != nil {
		return verr
	}
	ctx := c.Request().Context()
	outcome, err := rules.DetermineType(ctx, s.Records, partialApplication(req))
	if err != nil {
		return fmt.Errorf("determine filing type: %w", err)
	}
	if e := typeRefusal(outcome); e != nil {
		e.Field = fieldOf(e.Field)
		return e
	}

	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("generate filing ID: %w", err)
	}
	in := filing.Input{
		Identity: filing.Identity{
			FilingID: filing.ID(id.String()), AccountID: req.AccountID, Province: province.Code,
			FilingType: outcome.Type, Domain: domain.ASCII, RuleSetVersion: rs.Version(), CalendarVersion: cal.Version(),
		},
		CreatedAt:  now.UTC(),
		SubjectKey: s.subjectKey(province.Code, req.Subject.CertificateType, req.Subject.CertificateNumber),
		Product:    req.Product,
		Settings: filing.Settings{
			TimeScale:             timeScale(req, s.Process.TimeScale),
			SubmissionWindowOpen:  s.Process.SubmissionWindowOpen,
			SubmissionWindowClose: s.Process.SubmissionWindowClose,
			BureauPollInterval:    filing.DefaultSettings().BureauPollInterval,
			CourierPollInterval:   filing.DefaultSettings().CourierPollInterval,
		},
	}
	if err := s.acquireSubject(ctx, in.SubjectKey, in.FilingID, now); err != nil {
		return err
	}
	// The start must end within the subject's lease: past it another
	// request may take the subject over, and a workflow that starts after
	// that ends at once (it cannot claim the subject).
	ctx, cancel := context.WithTimeout(ctx, startBudget)
	defer cancel()
	// The read-model row exists before the workflow does, so the filing is
	// listed, and its owner known, from the moment it is created. Revision
	// 0 yields to every write of the workflow.
	st := filing.State{
		Identity: in.Identity, Stage: filing.StageProductVerification, WaitingOn: filing.PartyProvider,
		CreatedAt: in.CreatedAt, UpdatedAt: in.CreatedAt, Timeline: []filing.StageChange{},
	}
	if _, err := s.filings.Upsert(ctx, store.FilingOf(filing.RowOf(st))); err != nil {
		s.release(ctx, in, false)
		s.Log.ErrorContext(ctx, "record new filing", "err", err)
		return httpx.Unavailable("the database")
	}
	summary := fmt.Sprintf("新增网站 filing · %s (%s) · %s", province.Name, province.Code, domain.Unicode)
	if err := s.client.Start(ctx, in, summary); err != nil {
		s.release(ctx, in, true)
		if errors.Is(err, filings.ErrExists) {
			return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeFilingExists, Message: "a filing with this ID already exists"}
		}
		return temporalError(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/filings/"+string(in.FilingID))
	return c.JSON(http.StatusCreated, filing.View{State: st, WorkflowID: in.FilingID.WorkflowID(), Source: filing.SourceRequest})
}

// release undoes a creation that failed before its workflow started:
// nothing half-written stays behind.
func (s *server) release(ctx context.Context, in filing.Input, rowWritten bool) {
	ctx = context.WithoutCancel(ctx)
	if rowWritten {
		if err := s.filings.DeleteUnstarted(ctx, in.FilingID); err != nil {
			s.Log.ErrorContext(ctx, "remove row of unstarted filing", "filing_id", in.FilingID, "err", err)
		}
	}
	if err := s.subjects.Release(ctx, in.SubjectKey, in.FilingID); err != nil {
		s.Log.ErrorContext(ctx, "release subject after failed start", "filing_id", in.FilingID, "err", err)
	}
}

// typeRefusal is the answer to an order beianflow does not run: 409 for a
// conflict the user must resolve first, naming the application's field, or
// 422 for another filing type, both with the outcome's code and message;
// nil for 新增网站 with the record elsewhere.
func typeRefusal(outcome rules.TypeOutcome) *httpx.Error {
	switch {
	case outcome.Blocked():
		return &httpx.Error{Status: http.StatusConflict, Code: string(outcome.Code), Field: outcome.Field, Message: outcome.Message.EN, MessageZH: outcome.Message.ZH,
			Details: map[string]string{"zh": outcome.Message.ZH}}
	case !outcome.Handled():
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: string(outcome.Code), Message: outcome.Message.EN, MessageZH: outcome.Message.ZH,
			Details: map[string]string{"filing_type": string(outcome.Type), "zh": outcome.Message.ZH}}
	}
	return nil
}

// fieldOf maps an outcome's field to the create request's, whose one
// domain is "domain".
func fieldOf(f string) string {
	if f == "websites[0].domain" {
		return "domain"
	}
	return f
}

// subjectLease is how long a creating request holds the subject while it
// starts the filing's workflow; startBudget, well within it, bounds that
// start. A holder is never taken over while its lease runs, however slow.
const (
	subjectLease = 2 * time.Minute
	startBudget  = 30 * time.Second
)

// acquireSubject enforces one filing in flight per subject. A lock whose
// holder's workflow does not run is taken over: a process died between
// locking and starting (once its lease has ended), or the filing closed
// without releasing it. Of concurrent requests exactly one wins; see
// store.Subjects.
func (s *server) acquireSubject(ctx context.Context, key string, filingID filing.ID, now time.Time) error {
	lock, err := s.subjects.Acquire(ctx, key, filingID, now, now.Add(subjectLease))
	if err != nil {
		s.Log.ErrorContext(ctx, "subject lock", "err", err)
		return httpx.Unavailable("the database")
	}
	if lock.FilingID == filingID {
		return nil
	}
	starting := &httpx.Error{Status: http.StatusConflict, Code: filing.CodeSubjectBusy, Field: "subject",
		Message: "another filing of this subject is starting; retry in a moment"}
	if lock.Leased(now) {
		return starting
	}
	_, err = s.client.State(ctx, lock.FilingID)
	if err == nil {
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeSubjectBusy, Field: "subject",
			Message: "another filing of this subject is in progress (" + string(lock.FilingID) + "); finish or cancel it first"}
	}
	if !errors.Is(err, filings.ErrNotFound) && !errors.Is(err, filings.ErrClosed) {
		return temporalError(err)
	}
	ok, err := s.subjects.TakeOver(ctx, lock, filingID, now, now.Add(subjectLease))
	if err != nil {
		s.Log.ErrorContext(ctx, "take over subject lock", "err", err)
		return httpx.Unavailable("the database")
	}
	if !ok {
		return starting
	}
	return nil
}
