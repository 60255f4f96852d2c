package filing

// Person is a natural person named in a filing: the subject leader
// (主体负责人) or a website's responsible person (网站负责人).
type Person struct {
	// Name is the name as printed on the identity document.
	Name string `json:"name"`
	// IDType is the identity document type; only personal types apply
	// (see CertificateType.Personal).
	IDType CertificateType `json:"id_type"`
	// IDNumber is the identity document number.
	IDNumber string `json:"id_number"`
	// Mobile is a mainland mobile number; reviewers phone it and MIIT sends
	// the SMS verification code to it.
	Mobile string `json:"mobile"`
	// Email receives filing notifications.
	Email string `json:"email"`
	// OfficePhone is an optional landline (办公电话), free text.
	OfficePhone string `json:"office_phone,omitempty"`
	// IsLegalRepresentative says whether the person is the organisation's
	// legal representative (法定代表人); many bureaus require that of the
	// subject leader.
	IsLegalRepresentative bool `json:"is_legal_representative"`
}
