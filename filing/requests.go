package filing

import (
	"strings"
	"time"
)

// Request is the argument of an Update. Each describes itself for the
// audit trail.
type Request interface {
	// Audit says who acted and what they did; applicant is the actor of
	// the applicant's own actions ("account:<account ID>").
	Audit(applicant string) Audit
}

// Audit is what an action writes to the audit trail: who acted, what they
// did in a few words, and the reasons they gave. It names roles with opaque
// IDs, codes and references, never personal data.
type Audit struct {
	Actor   string
	Detail  string
	Reasons []Reason
}

// Requests of the updates.
type (
	// VerifyProductRequest replaces the product of a filing whose product
	// verification failed.
	VerifyProductRequest struct {
		Product Product `json:"product"`
	}
	// SaveApplicationRequest references an application revision the API has
	// validated and stored.
	SaveApplicationRequest struct {
		Application ApplicationRef `json:"application"`
	}
	// AttachMaterialsRequest attaches uploaded materials in one action:
	// all of them, or, when the workflow refuses one, none.
	AttachMaterialsRequest struct {
		Materials []AttachMaterialRequest `json:"materials"`
	}
	// AttachMaterialRequest references an uploaded material and what was
	// declared about it when its upload was presigned; the workflow
	// verifies the object against it before it accepts it.
	AttachMaterialRequest struct {
		// Kind is the material kind, e.g. MaterialVerificationForm.
		Kind MaterialKind `json:"kind"`
		// ObjectKey is Upload.ObjectKey of the upload.
		ObjectKey string `json:"object_key"`
		// Size and SHA256 (hex) are what was declared when presigning.
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	// SubmitRequest submits the application for initial review.
	SubmitRequest struct{}
	// DecisionRequest is a reviewer's decision.
	DecisionRequest struct {
		Approve  bool     `json:"approve"`
		Reasons  []Reason `json:"reasons,omitempty"`
		Reviewer string   `json:"reviewer"` // staff ID, not a name
	}
	// ChoosePhotoPathRequest picks backdrop or provider app where allowed.
	ChoosePhotoPathRequest struct {
		Mode PhotoMode `json:"mode"`
	}
	// MailingAddressRequest references a stored mailing address revision.
	MailingAddressRequest struct {
		AddressRevisionID string `json:"address_revision_id"`
	}
	// ShipmentDeliveredRequest is the courier's delivery event.
	ShipmentDeliveredRequest struct {
		TrackingNumber string    `json:"tracking_number"`
		DeliveredAt    time.Time `json:"delivered_at"`
		ByHand
	}
	// UploadPhotoRequest references the uploaded verification photo of
	// one responsible person.
	UploadPhotoRequest struct {
		// Person is the person the photo shows (PersonVerification.Person);
		// empty means the person the filing waits for.
		Person    string `json:"person,omitempty"`
		ObjectKey string `json:"object_key"`
		Size      int64  `json:"size,omitempty"`
		SHA256    string `json:"sha256,omitempty"`
	}
	// VerificationResultRequest is the Shanghai bureau app's or the provider
	// app's verification outcome.
	VerificationResultRequest struct {
		// Person is the person verified; empty means the person the filing
		// waits for.
		Person string   `json:"person,omitempty"`
		Passed bool     `json:"passed"`
		Reason []Reason `json:"reasons,omitempty"`
		ByHand
	}
	// SMSVerificationRequest is the bureau's SMS verification outcome.
	SMSVerificationRequest struct {
		ReceiptID string `json:"receipt_id"`
		// Outcome: SMSVerified, or SMSReturned (window missed or too many
		// failed attempts).
		Outcome string   `json:"outcome"`
		Reasons []Reason `json:"reasons,omitempty"`
		// CodeSentAt is when MIIT sent the code, where the bureau said.
		CodeSentAt *time.Time `json:"code_sent_at,omitempty"`
		ByHand
	}
	// BureauDecisionRequest is the bureau's review outcome.
	BureauDecisionRequest struct {
		ReceiptID    string   `json:"receipt_id"`
		Approved     bool     `json:"approved"`
		FilingNumber string   `json:"filing_number,omitempty"`
		Reasons      []Reason `json:"reasons,omitempty"`
		ByHand
	}
	// CancelRequest cancels a filing before bureau submission.
	CancelRequest struct {
		// Reason is a snake_case code (e.g. "user_request"), never free
		// text, which could carry personal data into the history.
		Reason string `json:"reason"`
	}
)

// SMS verification outcomes.
const (
	SMSVerified = "verified"
	SMSReturned = "returned"
)

// ByHand is embedded in the outside events support staff may deliver by
// hand when the partner's push was lost: the API marks who did, so the audit
// trail names the support key rather than the partner.
type ByHand struct {
	// DeliveredBy is support:<API key ID>; empty when the partner sent it.
	DeliveredBy string `json:"delivered_by,omitempty"`
}

// MarkDeliveredBy records that actor delivered the event by hand.
func (b *ByHand) MarkDeliveredBy(actor string) { b.DeliveredBy = actor }

// HandDeliverable is an outside event support staff may deliver by hand
// (a pointer to one of the requests that embed ByHand).
type HandDeliverable interface {
	MarkDeliveredBy(actor string)
}

// Audit implements Request.
func (r VerifyProductRequest) Audit(applicant string) Audit { return Audit{Actor: applicant} }

// Audit implements Request.
func (r SaveApplicationRequest) Audit(applicant string) Audit {
	return Audit{Actor: applicant, Detail: "revision " + r.Application.RevisionID}
}

// Audit implements Request.
func (r AttachMaterialsRequest) Audit(applicant string) Audit {
	parts := make([]string, len(r.Materials))
	for i, m := range r.Materials {
		parts[i] = string(m.Kind) + " " + m.ObjectKey
	}
	return Audit{Actor: applicant, Detail: strings.Join(parts, "; ")}
}

// Audit implements Request.
func (SubmitRequest) Audit(applicant string) Audit { return Audit{Actor: applicant} }

// Audit implements Request.
func (r DecisionRequest) Audit(string) Audit {
	detail := "rejected"
	if r.Approve {
		detail = "approved"
	}
	return Audit{Actor: "reviewer:" + r.Reviewer, Detail: detail, Reasons: r.Reasons}
}

// Audit implements Request.
func (r ChoosePhotoPathRequest) Audit(applicant string) Audit {
	return Audit{Actor: applicant, Detail: string(r.Mode)}
}

// Audit implements Request.
func (r MailingAddressRequest) Audit(applicant string) Audit {
	return Audit{Actor: applicant, Detail: "address revision " + r.AddressRevisionID}
}

// Audit implements Request.
func (r ShipmentDeliveredRequest) Audit(string) Audit {
	return onBehalf(r.DeliveredBy, "courier", r.TrackingNumber, nil)
}

// Audit implements Request.
func (r UploadPhotoRequest) Audit(applicant string) Audit {
	return Audit{Actor: applicant, Detail: r.ObjectKey}
}

// Audit implements Request.
func (r VerificationResultRequest) Audit(string) Audit {
	detail := "failed"
	if r.Passed {
		detail = "passed"
	}
	return onBehalf(r.DeliveredBy, "verification_app", detail, r.Reason)
}

// Audit implements Request.
func (r SMSVerificationRequest) Audit(string) Audit {
	return onBehalf(r.DeliveredBy, "bureau", r.Outcome+" "+r.ReceiptID, r.Reasons)
}

// Audit implements Request.
func (r BureauDecisionRequest) Audit(string) Audit {
	detail := "rejected " + r.ReceiptID
	if r.Approved {
		detail = "approved " + r.ReceiptID + " " + r.FilingNumber
	}
	return onBehalf(r.DeliveredBy, "bureau", detail, r.Reasons)
}

// Audit implements Request.
func (r CancelRequest) Audit(applicant string) Audit {
	return Audit{Actor: applicant, Detail: r.Reason}
}

// onBehalf names the actor of an outside event: the partner itself, or the
// support staff member who delivered it by hand, with the partner in the
// detail.
func onBehalf(deliveredBy, party, detail string, reasons []Reason) Audit {
	if deliveredBy == "" {
		return Audit{Actor: party, Detail: detail, Reasons: reasons}
	}
	return Audit{Actor: deliveredBy, Detail: "for the " + party + ": " + detail, Reasons: reasons}
}
