package filing

// Subject is the filing subject (主办单位 / 主体): a person or an
// organisation. For a 新增网站 order its nature, certificate type and
// certificate number must equal the existing MIIT record.
type Subject struct {
	// Province is the filing province (主办单位所属区域) as an ISO 3166-2:CN
	// code without "CN-", e.g. "ZJ"; it selects the reviewing bureau.
	Province string `json:"province"`
	// Nature is the subject nature (主办单位性质).
	Nature SubjectNature `json:"nature"`
	// CertificateType is the subject's certificate (主办单位证件类型).
	CertificateType CertificateType `json:"certificate_type"`
	// CertificateNumber is the number printed on that certificate
	// (主办单位证件号码), e.g. an 18-character unified social credit code.
	CertificateNumber string `json:"certificate_number"`
	// Name is the subject name (主办单位名称) exactly as on the certificate.
	Name string `json:"name"`
	// CertificateAddress is the domicile on the certificate (证件住所).
	CertificateAddress Address `json:"certificate_address"`
	// MailingAddress is the mailing address (通讯地址); it may be the
	// actual office or home address.
	MailingAddress Address `json:"mailing_address"`
	// Leader is the subject leader (主体负责人); for a personal subject the
	// individual themself.
	Leader Person `json:"leader"`
	// EmergencyPhone is the emergency contact mobile number (应急联系电话).
	EmergencyPhone string `json:"emergency_phone"`
}
