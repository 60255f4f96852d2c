package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// registerActions adds one endpoint per action on a filing. Each sends a
// workflow update; the workflow's validator refuses an action that does not
// fit the current stage (409) and the API never queues or drops one.
func (s *server) registerActions(v1 *router) {
	v1.add(http.MethodPut, "/filings/:id/application", s.saveApplication, RoleBackend)
	v1.add(http.MethodPost, "/filings/:id/materials", s.attachMaterial, RoleBackend)
	v1.add(http.MethodPost, "/filings/:id/materials/batch", s.attachMaterials, RoleBackend)
	v1.add(http.MethodPost, "/filings/:id/uploads", s.presignUpload, RoleBackend)
	v1.add(http.MethodPost, "/filings/:id/mailing-address", s.mailingAddress, RoleBackend)

	// The applicant's actions, through the provider's backend.
	action(s, v1, "product", filing.VerifyProduct, body[filing.VerifyProductRequest], RoleBackend)
	action(s, v1, "submit", filing.Submit, emptyBody[filing.SubmitRequest], RoleBackend)
	action(s, v1, "photo-path", filing.ChoosePhotoPath, body[filing.ChoosePhotoPathRequest], RoleBackend)
	action(s, v1, "photo", filing.UploadPhoto, body[filing.UploadPhotoRequest], RoleBackend)
	// The provider's reviewers.
	decision(s, v1, "initial-review", filing.InitialReviewDecision, filing.QueueInitial)
	decision(s, v1, "photo-review", filing.PhotoReviewDecision, filing.QueuePhoto)
	// Outside events delivered by hand (normally they arrive as webhooks):
	// support staff only, and the audit trail names the support key that
	// did it rather than the partner.
	action(s, v1, "verification-result", filing.VerificationResult, body[filing.VerificationResultRequest], RoleSupport)
	action(s, v1, "courier-events", filing.ShipmentDelivered, body[filing.ShipmentDeliveredRequest], RoleSupport)
	action(s, v1, "bureau-events/sms", filing.SMSVerification, body[filing.SMSVerificationRequest], RoleSupport)
	action(s, v1, "bureau-events/decision", filing.BureauDecision, body[filing.BureauDecisionRequest], RoleSupport)
}

// action registers POST /filings/:id/<path>, which sends update u with the
// decoded body to the filing.
func action[Req filing.Request](s *server, v1 *router, path string, u filing.Update[Req], decode func(echo.Context) (Req, error), role Role) {
	v1.add(http.MethodPost, "/filings/:id/"+path, func(c echo.Context) error {
		id, req, err := ownedWith(s, c, decode)
		if err != nil {
			return err
		}
		if hd, ok := any(&req).(filing.HandDeliverable); ok && role == RoleSupport {
			hd.MarkDeliveredBy("support:" + auth.PrincipalOf(c).KeyID)
		}
		return s.act(c, id, u.Name, req)
	}, role)
}

// owned is the filing of the path, if the caller may see it, and the
// request's body.
func owned[T any](s *server, c echo.Context) (filing.ID, T, error) {
	return ownedWith(s, c, body[T])
}

// ownedWith is owned with another way to read the body.
func ownedWith[T any](s *server, c echo.Context, decode func(echo.Context) (T, error)) (filing.ID, T, error) {
	var zero T
	id, err := s.ownedFiling(c)
	if err != nil {
		return "", zero, err
	}
	req, err := decode(c)
	if err != nil {
		return "", zero, err
	}
	return id, req, nil
}

func body[T any](c echo.Context) (T, error) {
	var v T
	err := httpx.DecodeJSON(c, &v)
	return v, err
}

// emptyBody accepts no body or an empty JSON object.
func emptyBody[T any](c echo.Context) (T, error) {
	var v T
	if c.Request().ContentLength == 0 {
		return v, nil
	}
	return body[T](c)
}

// act sends the update and answers with the filing's new state. The
// Idempotency-Key header becomes the update ID, so a retried request gets the
// first answer instead of acting twice.
func (s *server) act(c echo.Context, id filing.ID, update string, req filing.Request) error {
	if err := s.send(c, id, update, req); err != nil {
		return err
	}
	// The update's reply is a small acknowledgement (it is stored in the
	// history); the state comes from a query, or from the read model once
	// the action ended the filing.
	return s.answerAction(c, id)
}

// send sends the update and maps the workflow's refusals to API errors.
func (s *server) send(c echo.Context, id filing.ID, update string, req filing.Request) error {
	ctx := c.Request().Context()
	_, err := s.client.ActAs(ctx, id, update, updateID(c), req)
	var refused *filings.RefusedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused) && refused.Conflict:
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageConflict, Message: refused.Message}
	case errors.As(err, &refused) && refused.Code != "":
		field := refused.Field
		if field == "" {
			field = "object_key"
		}
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeMaterialRejected, Field: field,
			Message: refused.Message, Details: map[string]string{"reason": refused.Code}}
	case errors.As(err, &refused):
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction, Message: refused.Message}
	case errors.Is(err, filings.ErrNotFound):
		return notFound(id)
	case errors.Is(err, filings.ErrClosed):
		return filingEnded()
	}
	return temporalError(err)
}

// alreadyApplied reports whether this request's own action was taken
// before: a retry, with the same Idempotency-Key, of a request whose answer
// was lost or was a 503 after the update went through (an action that
// outlasted the API's bound). The handlers that check the stage before they
// send their update find the filing moved on by that very action, and answer
// as the first attempt would have, not 409.
func (s *server) alreadyApplied(c echo.Context, id filing.ID) bool {
	uid := updateID(c)
	if uid == "" {
		return false
	}
	applied, err := s.client.Applied(c.Request().Context(), id, uid)
	if err != nil {
		s.Log.WarnContext(c.Request().Context(), "could not ask whether a retried action was taken", "filing_id", id, "err", err)
	}
	return applied
}

// updateID turns the caller's Idempotency-Key into the workflow update ID.
// Temporal deduplicates update IDs per workflow whatever the update, so the
// raw key would let one caller's key swallow another caller's action (or a
// cancel reuse a submit's key); scoped like the idempotency store — per API
// key, method and path — it cannot. Empty without a key: every request acts.
func updateID(c echo.Context) string {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(auth.PrincipalOf(c).KeyID + "\n" + c.Request().Method + " " + c.Request().URL.Path + "\n" + key))
	return "idem-" + hex.EncodeToString(sum[:16])
}

// cancelFiling cancels a filing before bureau submission. Cancelling an
// already cancelled filing answers 200 with its state, so a retried request
// is harmless.
func (s *server) cancelFiling(c echo.Context) error {
	id, req, err := owned[filing.CancelRequest](s, c)
	if err != nil {
		return err
	}
	if req.Reason == "" {
		req.Reason = "user_request"
	}
	// A reason code, not free text: free text invites personal data into
	// the workflow history.
	if !reasonPattern.MatchString(req.Reason) {
		return httpx.BadRequest(filing.CodeInvalidValue, "reason", "reason must be a snake_case code such as user_request")
	}
	err = s.act(c, id, filing.Cancel.Name, req)
	var apiErr *httpx.Error
	if errors.As(err, &apiErr) && apiErr.Code == filing.CodeFilingClosed {
		f, rerr := s.filings.Get(c.Request().Context(), id)
		if rerr == nil && f.Stage == string(filing.StageCancelled) {
			return c.JSON(http.StatusOK, filing.ViewOf(f.Row(s.Now())))
		}
	}
	return err
}

var reasonPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// saveApplication validates a complete application with the rules, stores
// it as a new revision (personal data stays in our database) and gives the
// workflow its reference. The revision is written only when the filing is
// in a stage that accepts it, so a refused request leaves nothing behind
// but an unreferenced, immutable row in the rare race with a stage change.
func (s *server) saveApplication(c echo.Context) error {
	id, app, err := owned[filing.Application](s, c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.client.State(ctx, id)
	if err != nil {
		return s.stateError(id, err)
	}
	if st.Stage != filing.StageInformation {
		if s.alreadyApplied(c, id) {
			return s.answerAction(c, id)
		}
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageConflict,
			Message: fmt.Sprintf("the application can be changed in stage information, not %s", st.Stage)}
	}
	if vs := rules.Validate(app, s.Now(), rules.DefaultRuleSet()); len(vs) > 0 {
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeApplicationInvalid, Field: vs[0].Field,
			Message: fmt.Sprintf("the application breaks %d rule(s); see details", len(vs)), Details: vs}
	}
	if e := s.sameFiling(st, app); e != nil {
		return e
	}
	if err := s.sameType(ctx, id, app); err != nil {
		return err
	}
	rev, err := s.apps.Save(ctx, id, store.KindApplication, app)
	if err != nil {
		s.Log.ErrorContext(ctx, "save application", "filing_id", id, "err", err)
		return httpx.Unavailable("the database")
	}
	return s.act(c, id, filing.SaveApplication.Name, filing.SaveApplicationRequest{
		Application: filing.ApplicationRef{RevisionID: rev.ID, Digest: rev.Digest},
	})
}

// sameFiling refuses an application for another subject, province or
// domain than the filing was started for: those decide the filing type.
func (s *server) sameFiling(st filing.State, app filing.Application) *httpx.Error {
	p, _ := rules.LookupProvince(app.Subject.Province)
	if p.Code != st.Province {
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction, Field: "subject.province",
			Message: "the subject's province differs from the filing's; start a new filing"}
	}
	for _, w := range app.Websites {
		if d, err := rules.ParseDomain(w.Domain); err == nil && d.ASCII == st.Domain {
			return nil
		}
	}
	return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction, Field: "websites",
		Message: "the application must contain the domain " + st.Domain + " the filing was started for"}
}

// sameType re-runs the type determination for the saved application, its
// subject and every domain, against the MIIT records: an edit that adds a
// domain filed elsewhere, or names a subject on record at this provider or
// in another province, would end in a bureau rejection (主体冲突, 域名冲突),
// so it is refused with the code a creation would get. The subject itself
// is fixed when the filing starts — its lock is held under that identity,
// and providers freeze it at type verification too — so a change of
// certificate is refused.
func (s *server) sameType(ctx context.Context, id filing.ID, app filing.Application) error {
	held, ok, err := s.subjects.KeyOf(ctx, id)
	if err != nil {
		s.Log.ErrorContext(ctx, "subject of filing", "filing_id", id, "err", err)
		return httpx.Unavailable("the database")
	}
	p, _ := rules.LookupProvince(app.Subject.Province)
	if ok && held != s.subjectKey(p.Code, app.Subject.CertificateType, app.Subject.CertificateNumber) {
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeInvalidAction, Field: "subject.certificate_number",
			Message: "the subject's certificate type and number are fixed when the filing starts; start a new filing for another subject"}
	}
	outcome, err := rules.DetermineType(ctx, s.Records, app)
	if err != nil {
		return fmt.Errorf("determine filing type: %w", err)
	}
	if e := typeRefusal(outcome); e != nil {
		return e
	}
	return nil
}

func (s *server) stateError(id filing.ID, err error) error {
	switch {
	case errors.Is(err, filings.ErrNotFound):
		return notFound(id)
	case errors.Is(err, filings.ErrClosed):
		return filingEnded()
	}
	return temporalError(err)
}

// attachMaterial references a material uploaded through a presigned URL.
// The workflow verifies the object (exists, size and SHA-256 as declared,
// real type, limits) before it accepts it; a bad upload is 422
// material_rejected with the reason.
func (s *server) attachMaterial(c echo.Context) error {
	id, req, err := owned[filing.AttachMaterialRequest](s, c)
	if err != nil {
		return err
	}
	if err := checkAttach(id, req, ""); err != nil {
		return err
	}
	err = s.act(c, id, filing.AttachMaterials.Name, filing.AttachMaterialsRequest{Materials: []filing.AttachMaterialRequest{req}})
	// The workflow names the material by its place in the action; this
	// request has only the one.
	var refused *httpx.Error
	if errors.As(err, &refused) && refused.Field == "materials[0].object_key" {
		refused.Field = "object_key"
	}
	return err
}

// attachMaterials attaches several uploaded materials in one action, as a
// backend that has uploaded a filing's documents does: the workflow
// verifies them all at once and attaches all of them or, when it refuses
// one (422 material_rejected, the field naming which), none.
func (s *server) attachMaterials(c echo.Context) error {
	id, req, err := owned[filing.AttachMaterialsRequest](s, c)
	if err != nil {
		return err
	}
	if len(req.Materials) == 0 {
		return httpx.BadRequest(filing.CodeRequired, "materials", "materials is required")
	}
	if len(req.Materials) > filing.MaxMaterialsPerAttach {
		return httpx.BadRequest(filing.CodeInvalidValue, "materials", "at most %d materials at once", filing.MaxMaterialsPerAttach)
	}
	for i, m := range req.Materials {
		if err := checkAttach(id, m, fmt.Sprintf("materials[%d].", i)); err != nil {
			return err
		}
	}
	return s.act(c, id, filing.AttachMaterials.Name, req)
}

// checkAttach refuses a material without a kind or with an object key of
// another filing; prefix places its fields in the request.
func checkAttach(id filing.ID, m filing.AttachMaterialRequest, prefix string) error {
	if m.Kind == "" {
		return httpx.BadRequest(filing.CodeRequired, prefix+"kind", "%skind is required", prefix)
	}
	if !strings.HasPrefix(m.ObjectKey, "filings/"+string(id)+"/") || strings.Contains(m.ObjectKey, "..") {
		return httpx.BadRequest(filing.CodeInvalidValue, prefix+"object_key", "%sobject_key must be under filings/%s/", prefix, id)
	}
	return nil
}

// mailingAddress stores where the backdrop goes (personal data, kept out of
// Temporal) and hands the workflow its reference.
func (s *server) mailingAddress(c echo.Context) error {
	id, req, err := owned[filing.MailingAddress](s, c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Recipient.Name) == "" {
		return httpx.BadRequest(filing.CodeRequired, "recipient.name", "recipient.name is required")
	}
	if _, err := rules.ParseMobile(req.Recipient.Mobile); err != nil {
		return httpx.BadRequest(filing.CodeInvalidValue, "recipient.mobile", "recipient.mobile must be a mainland mobile number")
	}
	if _, ok := rules.LookupProvince(req.Address.Province); !ok {
		return httpx.BadRequest(filing.CodeInvalidValue, "address.province", "address.province must be a mainland province code; backdrops ship only within the mainland")
	}
	if strings.TrimSpace(req.Address.City) == "" || strings.TrimSpace(req.Address.Detail) == "" {
		return httpx.BadRequest(filing.CodeRequired, "address.detail", "address.city and address.detail are required")
	}
	ctx := c.Request().Context()
	st, err := s.client.State(ctx, id)
	if err != nil {
		return s.stateError(id, err)
	}
	if st.Step != filing.StepAwaitingMailingAddress {
		if s.alreadyApplied(c, id) {
			return s.answerAction(c, id)
		}
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageConflict,
			Message: fmt.Sprintf("no mailing address is awaited (stage %s, step %s)", st.Stage, st.Step)}
	}
	rev, err := s.apps.Save(ctx, id, store.KindMailingAddress, req)
	if err != nil {
		return httpx.Unavailable("the database")
	}
	return s.act(c, id, filing.SetMailingAddress.Name, filing.MailingAddressRequest{AddressRevisionID: rev.ID})
}
