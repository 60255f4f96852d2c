package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/filing"
)

// Actions on a running filing. Each answers the filing's state after the
// action. Each needs a key of one role, named in its documentation (the
// server answers another role's key with filing.CodeForbidden, and a backend key
// of another account with filing.CodeFilingNotFound, exactly as for a filing that
// does not exist). An action that does not fit the filing's current stage is refused
// with filing.CodeStageConflict (409) and nothing is queued; a malformed one with
// filing.CodeInvalidAction (422); one on an ended filing with filing.CodeFilingClosed.

// act POSTs an action to /v1/filings/{id}{suffix}.
func (c *Client) act(ctx context.Context, id filing.ID, suffix string, req any, opts []CallOption) (*filing.View, error) {
	p, err := filingPath(id, suffix)
	if err != nil {
		return nil, err
	}
	return call[filing.View](ctx, c, http.MethodPost, p, nil, req, opts)
}

// SaveApplication stores the complete application (PUT
// /v1/filings/{id}/application), in stage information only. A rule
// violation is refused with filing.CodeApplicationInvalid; Error.Violations lists
// them all.
//
// Role: backend.
func (c *Client) SaveApplication(ctx context.Context, id filing.ID, app filing.Application, opts ...CallOption) (*filing.View, error) {
	p, err := filingPath(id, "/application")
	if err != nil {
		return nil, err
	}
	return call[filing.View](ctx, c, http.MethodPut, p, nil, app, opts)
}

// AttachMaterial attaches an uploaded material (POST
// /v1/filings/{id}/materials): req.ObjectKey is the Upload's, Size and
// SHA256 what was declared when presigning (AttachRequest builds it). The
// workflow verifies the object first; a bad one is refused with
// filing.CodeMaterialRejected and Details {"reason": …}.
//
// Role: backend.
func (c *Client) AttachMaterial(ctx context.Context, id filing.ID, req filing.AttachMaterialRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/materials", req, opts)
}

// AttachMaterials attaches several uploaded materials in one action (POST
// /v1/filings/{id}/materials/batch): the workflow verifies them all at once
// and attaches all of them or, when one is bad, none; the refusal
// (filing.CodeMaterialRejected) names it in its field, e.g.
// "materials[2].object_key".
//
// Role: backend.
func (c *Client) AttachMaterials(ctx context.Context, id filing.ID, materials []filing.AttachMaterialRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/materials/batch", filing.AttachMaterialsRequest{Materials: materials}, opts)
}

// SetMailingAddress gives where the backdrop (幕布) goes (POST
// /v1/filings/{id}/mailing-address), when the filing awaits it.
//
// Role: backend.
func (c *Client) SetMailingAddress(ctx context.Context, id filing.ID, addr filing.MailingAddress, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/mailing-address", addr, opts)
}

// VerifyProduct offers another product after a failed product verification
// (POST /v1/filings/{id}/product).
//
// Role: backend.
func (c *Client) VerifyProduct(ctx context.Context, id filing.ID, req filing.VerifyProductRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/product", req, opts)
}

// Submit submits the application for initial review (POST
// /v1/filings/{id}/submit).
//
// Role: backend.
func (c *Client) Submit(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/submit", filing.SubmitRequest{}, opts)
}

// DecideInitialReview records the reviewer's initial review (初审) decision
// (POST /v1/filings/{id}/initial-review).
//
// Role: reviewer.
func (c *Client) DecideInitialReview(ctx context.Context, id filing.ID, req filing.DecisionRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/initial-review", req, opts)
}

// ChoosePhotoPath picks the photo verification path, e.g.
// filing.PhotoProviderApp where the province allows it (POST
// /v1/filings/{id}/photo-path).
//
// Role: backend.
func (c *Client) ChoosePhotoPath(ctx context.Context, id filing.ID, req filing.ChoosePhotoPathRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/photo-path", req, opts)
}

// AttachPhoto hands in the uploaded verification photo (POST
// /v1/filings/{id}/photo): JPEG or PNG, at least 600×800.
//
// Role: backend.
func (c *Client) AttachPhoto(ctx context.Context, id filing.ID, req filing.UploadPhotoRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/photo", req, opts)
}

// DecidePhotoReview records the reviewer's photo review decision (POST
// /v1/filings/{id}/photo-review).
//
// Role: reviewer.
func (c *Client) DecidePhotoReview(ctx context.Context, id filing.ID, req filing.DecisionRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/photo-review", req, opts)
}

// ReportVerificationResult delivers the Shanghai bureau app's or the
// provider app's verification outcome (POST
// /v1/filings/{id}/verification-result).
//
// Role: support.
func (c *Client) ReportVerificationResult(ctx context.Context, id filing.ID, req filing.VerificationResultRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/verification-result", req, opts)
}

// DeliverCourierEvent delivers the courier's delivery event by hand (POST
// /v1/filings/{id}/courier-events), for support staff when the push was lost.
//
// Role: support.
func (c *Client) DeliverCourierEvent(ctx context.Context, id filing.ID, req filing.ShipmentDeliveredRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/courier-events", req, opts)
}

// DeliverSMSOutcome delivers the bureau's SMS verification outcome by hand
// (POST /v1/filings/{id}/bureau-events/sms); Outcome is filing.SMSVerified
// or filing.SMSReturned.
//
// Role: support.
func (c *Client) DeliverSMSOutcome(ctx context.Context, id filing.ID, req filing.SMSVerificationRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/bureau-events/sms", req, opts)
}

// DeliverBureauDecision delivers the bureau's review decision by hand (POST
// /v1/filings/{id}/bureau-events/decision).
//
// Role: support.
func (c *Client) DeliverBureauDecision(ctx context.Context, id filing.ID, req filing.BureauDecisionRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/bureau-events/decision", req, opts)
}
