package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/workflows"
)

// CreateFilingRequest starts a filing (新增网站, the subject's original
// filing at another provider). It mirrors the server's createFilingRequest.
type CreateFilingRequest struct {
	// AccountID is the provider account the filing belongs to: 1–64
	// letters, digits or _.:-, starting with a letter or digit. Left empty,
	// it is the API key's account; another account is CodeAccountMismatch.
	AccountID string `json:"account_id,omitempty"`
	// Subject identifies the filing subject exactly as on its MIIT record.
	Subject SubjectIdentity `json:"subject"`
	// Domain is the website's registrable domain, Unicode or punycode.
	Domain string `json:"domain"`
	// Product is an instance of the account or an existing 备案服务号:
	// exactly one of its fields.
	Product workflows.Product `json:"product"`
}

// SubjectIdentity is what identifies a filing subject; the filing type is
// determined from it.
type SubjectIdentity struct {
	// Province is an ISO 3166-2:CN code such as "ZJ" or "CN-ZJ".
	Province          string                 `json:"province"`
	Nature            filing.SubjectNature   `json:"nature"`
	CertificateType   filing.CertificateType `json:"certificate_type"`
	CertificateNumber string                 `json:"certificate_number"`
}

// Filing is a filing's state as the API answers it: the workflow's state
// plus where the answer came from.
type Filing struct {
	workflows.FilingState
	// WorkflowID is the Temporal workflow ID, for the Web UI.
	WorkflowID string `json:"workflow_id"`
	// Source is SourceWorkflow, SourceReadModel or SourceRequest.
	Source string `json:"source"`
	// BusinessDaysLeft counts the business days until the deadline, when
	// the deadline is a business-day one.
	BusinessDaysLeft *int `json:"business_days_left,omitempty"`
}

// Where a Filing answer came from.
const (
	// SourceWorkflow: live from the running workflow.
	SourceWorkflow = "workflow"
	// SourceReadModel: from the database, for a filing that has ended or
	// while the workflow service is unreachable; no timeline, no wait
	// details beyond stage and party.
	SourceReadModel = "read_model"
	// SourceRequest: the answer to CreateFiling, built from the request
	// before the workflow ran.
	SourceRequest = "request"
)

// CreateFiling starts a filing (POST /v1/filings, 201). A subject with a
// filing in flight is refused with CodeSubjectBusy; other filing types with
// their "filing_type.…" code (409 or 422).
//
// Role: backend.
func (c *Client) CreateFiling(ctx context.Context, req CreateFilingRequest, opts ...CallOption) (*Filing, error) {
	return call[Filing](ctx, c, http.MethodPost, "/v1/filings", nil, req, opts)
}

// GetFiling returns a filing's state (GET /v1/filings/{id}).
//
// Role: any (a backend key sees its own account's filings only).
func (c *Client) GetFiling(ctx context.Context, id string, opts ...CallOption) (*Filing, error) {
	p, err := filingPath(id, "")
	if err != nil {
		return nil, err
	}
	return call[Filing](ctx, c, http.MethodGet, p, nil, nil, opts)
}

// Cancel cancels a filing before bureau submission (POST
// /v1/filings/{id}/cancel). req.Reason is a snake_case code such as
// "user_request" (the server's default when empty), never free text.
// Cancelling a cancelled filing answers its state, so retrying is harmless.
//
// Role: backend.
func (c *Client) Cancel(ctx context.Context, id string, req workflows.CancelRequest, opts ...CallOption) (*Filing, error) {
	return c.act(ctx, id, "/cancel", req, opts)
}
