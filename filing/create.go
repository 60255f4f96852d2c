package filing

// CreateRequest starts a filing (POST /v1/filings): 新增网站 for a subject
// whose original filing is at another provider. It carries what the filing
// type is determined from and the product.
type CreateRequest struct {
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
	Product Product `json:"product"`
	// Sandbox asks for settings that only a system running the sandbox
	// world accepts (development and demos); production leaves it out.
	Sandbox *SandboxSettings `json:"sandbox,omitempty"`
}

// SubjectIdentity is what identifies a filing subject; the filing type is
// determined from it.
type SubjectIdentity struct {
	// Province is an ISO 3166-2:CN code such as "ZJ" or "CN-ZJ".
	Province          string          `json:"province"`
	Nature            SubjectNature   `json:"nature"`
	CertificateType   CertificateType `json:"certificate_type"`
	CertificateNumber string          `json:"certificate_number"`
}

// SandboxSettings are a filing's own settings where the sandbox world runs.
type SandboxSettings struct {
	// TimeScale compresses this filing's timers and deadlines instead of
	// the system's configured scale (1 is real time; at most 10,000,000).
	TimeScale *float64 `json:"time_scale"`
}

// Timeline is a filing's audit trail (GET /v1/filings/{id}/timeline).
type Timeline struct {
	FilingID ID           `json:"filing_id"`
	Events   []AuditEntry `json:"events"`
}
