package filing

import (
	"slices"
	"time"
)

// MaterialKind names a document the applicant uploads.
type MaterialKind string

// Material kinds. All but the photo are attached to the application; the
// photo is the photo-verification (拍照核验) upload.
const (
	MaterialVerificationForm   MaterialKind = "verification_form"   // 真实性核验单, signed and scanned
	MaterialSubjectCertificate MaterialKind = "subject_certificate" // business licence or other subject certificate
	MaterialLeaderID           MaterialKind = "leader_id"           // 主体负责人 ID document
	MaterialResponsibleID      MaterialKind = "responsible_id"      // 网站负责人 ID document
	MaterialDomainCertificate  MaterialKind = "domain_certificate"  // domain certificate, where the province requires it
	MaterialPreApproval        MaterialKind = "pre_approval"        // 前置审批 documents
	// MaterialAuthorizationLetter is the legal representative's
	// authorisation of a website responsible person (网站负责人授权书) or
	// of a subject leader (主体负责人授权书) who is not them, where the
	// province asks for it; one signed letter may name both.
	MaterialAuthorizationLetter MaterialKind = "authorization_letter"
	// MaterialCommitmentLetter is the 互联网信息服务备案承诺书, signed (and
	// stamped by an organisation), where the province asks for it.
	MaterialCommitmentLetter MaterialKind = "commitment_letter"
	// MaterialResidencePermit is the filing province's residence permit
	// (居住证) of an individual whose resident ID was issued elsewhere.
	MaterialResidencePermit MaterialKind = "residence_permit"
	// MaterialPhoto is the verification photo in front of the backdrop (幕布).
	MaterialPhoto MaterialKind = "photo"
)

// MaxMaterialsPerAttach bounds one AttachMaterials action: every kind
// once, and pre-approvals beside.
const MaxMaterialsPerAttach = 16

// AttachableMaterials lists the kinds AttachMaterials takes (the photo goes
// through UploadPhoto).
func AttachableMaterials() []MaterialKind {
	return []MaterialKind{
		MaterialVerificationForm, MaterialSubjectCertificate, MaterialLeaderID,
		MaterialResponsibleID, MaterialDomainCertificate, MaterialPreApproval,
		MaterialAuthorizationLetter, MaterialCommitmentLetter, MaterialResidencePermit,
	}
}

// Attachable reports whether k is a kind AttachMaterials takes.
func (k MaterialKind) Attachable() bool {
	return slices.Contains(AttachableMaterials(), k)
}

// Media types a material may have; each is recognised by its magic number.
const (
	MediaTypePDF  = "application/pdf"
	MediaTypeJPEG = "image/jpeg"
	MediaTypePNG  = "image/png"
)

// UploadRequest declares a material about to be uploaded (POST
// /v1/filings/{id}/uploads). Every field is bound into the presigned URL, so
// the document store refuses other bytes.
type UploadRequest struct {
	// Kind is the material kind, e.g. MaterialPhoto.
	Kind MaterialKind `json:"kind"`
	// ContentType is one of the kind's media types, e.g. MediaTypeJPEG.
	ContentType string `json:"content_type"`
	// Size is the exact byte count.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of the bytes.
	SHA256 string `json:"sha256"`
}

// Upload is a presigned PUT the client performs itself, so material bytes
// never pass through the API.
type Upload struct {
	URL    string `json:"url"`
	Method string `json:"method"` // always PUT
	// Headers must be sent exactly as given: they are part of the signature
	// (Content-Type, x-amz-checksum-sha256 and the encryption headers).
	// Content-Length is signed too; HTTP clients set it from a body of
	// exactly the declared size, and browsers refuse to set it by hand, so
	// it is not listed.
	Headers   map[string]string `json:"headers"`
	ObjectKey string            `json:"object_key"` // what to attach to the filing once the upload is verified
	ExpiresAt time.Time         `json:"expires_at"`
}

// MailingAddress is where the backdrop (幕布) goes (POST
// /v1/filings/{id}/mailing-address). It is personal data: the API stores it
// and hands the workflow only its revision.
type MailingAddress struct {
	Recipient Person  `json:"recipient"`
	Address   Address `json:"address"`
}

// MaterialRequirement is a document the submission of an application will
// demand, and why (POST /v1/filings/validate lists them; the automated
// checks refuse a submission without them).
type MaterialRequirement struct {
	// Kind is the material to attach.
	Kind MaterialKind `json:"kind"`
	// Code identifies the rule that demands it, e.g.
	// "material.authorization_letter".
	Code RuleCode `json:"code"`
	// Field is the part of the application the document is for, e.g.
	// "websites[1].responsible"; "subject" for the subject's documents.
	Field string `json:"field"`
	// Message says what the document is and why it is needed.
	Message Message `json:"message"`
}
