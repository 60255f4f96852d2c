package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/workflows"
)

// Actions on a running filing. Each answers the filing's state after the
// action. Each needs a key of one role, named in its documentation (the
// server answers another role's key with CodeForbidden, and a backend key
// of another account with CodeFilingNotFound, exactly as for a filing that
// does not exist). An action that does not fit the filing's current stage is refused
// with CodeStageConflict (409) and nothing is queued; a malformed one with
// CodeInvalidAction (422); one on an ended filing with CodeFilingClosed.

// act POSTs an action to /v1/filings/{id}{suffix}.
func (c *Client) act(ctx context.Context, id, suffix string, req any, opts []CallOption) (*Filing, error) {
	p, err := filingPath(id, suffix)
	if err != nil {
		return nil, err
	}
	return call[Filing](ctx, c, http.MethodPost, p, nil, req, opts)
}

// SaveApplication stores the complete application (PUT
// /v1/filings/{id}/application), in stage information only. A rule
// violation is refused with CodeApplicationInvalid; Error.Violations lists
// them all.
//
// Role: backend.
func (c *Client) SaveApplication(ctx context.Context, id string, app filing.Application, opts ...CallOption) (*Filing, error) {
	p, err := filingPath(id, "/application")
	if err != nil {
		return nil, err
	}
	return call[Filing](ctx, c, http.MethodPut, p, nil, app, opts)
}

// AttachMaterialRequest attaches an uploaded material. It mirrors the
// server's attachMaterialRequest (flat), not workflows.AttachMaterialRequest.
type AttachMaterialRequest struct {
	// Kind is a material kind such as documents.KindVerificationForm.
	Kind string `json:"kind"`
	// ObjectKey is documents.Upload.ObjectKey of the upload.
	ObjectKey string `json:"object_key"`
	// Size and SHA256 (hex) are what was declared when presigning.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// AttachMaterial attaches an uploaded material (POST
// /v1/filings/{id}/materials). The workflow verifies the object first; a bad
// one is refused with CodeMaterialRejected and Details {"reason": …}.
//
// Role: backend.
func (c *Client) AttachMaterial(ctx context.Context, id string, req AttachMaterialRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/materials", req, opts)
}

// SetMailingAddress gives where the backdrop (幕布) goes (POST
// /v1/filings/{id}/mailing-address), when the filing awaits it.
//
// Role: backend.
func (c *Client) SetMailingAddress(ctx context.Context, id string, addr activities.MailingAddress, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/mailing-address", addr, opts)
}

// VerifyProduct offers another product after a failed product verification
// (POST /v1/filings/{id}/product).
//
// Role: backend.
func (c *Client) VerifyProduct(ctx context.Context, id string, req workflows.VerifyProductRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/product", req, opts)
}

// Submit submits the application for initial review (POST
// /v1/filings/{id}/submit).
//
// Role: backend.
func (c *Client) Submit(ctx context.Context, id string, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/submit", workflows.SubmitRequest{}, opts)
}

// DecideInitialReview records the reviewer's initial review (初审) decision
// (POST /v1/filings/{id}/initial-review).
//
// Role: reviewer.
func (c *Client) DecideInitialReview(ctx context.Context, id string, req workflows.DecisionRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/initial-review", req, opts)
}

// ChoosePhotoPath picks the photo verification path, e.g.
// workflows.PhotoProviderApp where the province allows it (POST
// /v1/filings/{id}/photo-path).
//
// Role: backend.
func (c *Client) ChoosePhotoPath(ctx context.Context, id string, req workflows.ChoosePhotoPathRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/photo-path", req, opts)
}

// AttachPhoto hands in the uploaded verification photo (POST
// /v1/filings/{id}/photo): JPEG or PNG, at least 600×800.
//
// Role: backend.
func (c *Client) AttachPhoto(ctx context.Context, id string, req workflows.UploadPhotoRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/photo", req, opts)
}

// DecidePhotoReview records the reviewer's photo review decision (POST
// /v1/filings/{id}/photo-review).
//
// Role: reviewer.
func (c *Client) DecidePhotoReview(ctx context.Context, id string, req workflows.DecisionRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/photo-review", req, opts)
}

// ReportVerificationResult delivers the Shanghai bureau app's or the
// provider app's verification outcome (POST
// /v1/filings/{id}/verification-result).
//
// Role: support.
func (c *Client) ReportVerificationResult(ctx context.Context, id string, req workflows.VerificationResultRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/verification-result", req, opts)
}

// DeliverCourierEvent delivers the courier's delivery event by hand (POST
// /v1/filings/{id}/courier-events), for support staff when the push was lost.
//
// Role: support.
func (c *Client) DeliverCourierEvent(ctx context.Context, id string, req workflows.ShipmentDeliveredRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/courier-events", req, opts)
}

// DeliverSMSOutcome delivers the bureau's SMS verification outcome by hand
// (POST /v1/filings/{id}/bureau-events/sms); Outcome is workflows.SMSVerified
// or workflows.SMSReturned.
//
// Role: support.
func (c *Client) DeliverSMSOutcome(ctx context.Context, id string, req workflows.SMSVerificationRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/bureau-events/sms", req, opts)
}

// DeliverBureauDecision delivers the bureau's review decision by hand (POST
// /v1/filings/{id}/bureau-events/decision).
//
// Role: support.
func (c *Client) DeliverBureauDecision(ctx context.Context, id string, req workflows.BureauDecisionRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/bureau-events/decision", req, opts)
}
