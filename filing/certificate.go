package filing

// CertificateType is the kind of certificate identifying a subject
// (主办单位证件类型) or a person (证件类型).
type CertificateType string

// Certificate types accepted by MIIT filing systems.
const (
	// CertResidentID is 居民身份证, the mainland resident identity card.
	CertResidentID CertificateType = "resident_id"
	// CertHKMacauPermit is 港澳居民来往内地通行证 (回乡证), including the
	// non-Chinese-national variant.
	CertHKMacauPermit CertificateType = "hk_macau_permit"
	// CertTaiwanPermit is 台湾居民来往大陆通行证 (台胞证).
	CertTaiwanPermit CertificateType = "taiwan_permit"
	// CertHKMacauResidencePermit is 港澳居民居住证.
	CertHKMacauResidencePermit CertificateType = "hk_macau_residence_permit"
	// CertTaiwanResidencePermit is 台湾居民居住证.
	CertTaiwanResidencePermit CertificateType = "taiwan_residence_permit"
	// CertPassport is 护照.
	CertPassport CertificateType = "passport"
	// CertForeignPermanentResidentID is 外国人永久居留身份证.
	CertForeignPermanentResidentID CertificateType = "foreign_permanent_resident_id"
	// CertBusinessLicense is 营业执照 (统一社会信用代码).
	CertBusinessLicense CertificateType = "business_license"
	// CertCreditCodeCertificate is 统一社会信用代码证书, held by state organs.
	CertCreditCodeCertificate CertificateType = "credit_code_certificate"
	// CertOrganizationCode is 组织机构代码证, the pre-2016 organisation code.
	CertOrganizationCode CertificateType = "organization_code"
	// CertPublicInstitution is 事业单位法人证书.
	CertPublicInstitution CertificateType = "public_institution_certificate"
	// CertSocialOrganization is 社会团体法人登记证书.
	CertSocialOrganization CertificateType = "social_organization_certificate"
	// CertPrivateNonEnterprise is 民办非企业单位登记证书.
	CertPrivateNonEnterprise CertificateType = "private_non_enterprise_certificate"
	// CertFoundation is 基金会法人登记证书.
	CertFoundation CertificateType = "foundation_certificate"
	// CertLawFirmLicense is 律师事务所执业许可证.
	CertLawFirmLicense CertificateType = "law_firm_license"
	// CertMedicalInstitutionLicense is 医疗机构执业许可证.
	CertMedicalInstitutionLicense CertificateType = "medical_institution_license"
)

type certInfo struct {
	label    string
	personal bool
}

var certInfos = map[CertificateType]certInfo{
	CertResidentID:                 {"居民身份证", true},
	CertHKMacauPermit:              {"港澳居民来往内地通行证", true},
	CertTaiwanPermit:               {"台湾居民来往大陆通行证", true},
	CertHKMacauResidencePermit:     {"港澳居民居住证", true},
	CertTaiwanResidencePermit:      {"台湾居民居住证", true},
	CertPassport:                   {"护照", true},
	CertForeignPermanentResidentID: {"外国人永久居留身份证", true},
	CertBusinessLicense:            {"营业执照（统一社会信用代码）", false},
	CertCreditCodeCertificate:      {"统一社会信用代码证书", false},
	CertOrganizationCode:           {"组织机构代码证", false},
	CertPublicInstitution:          {"事业单位法人证书", false},
	CertSocialOrganization:         {"社会团体法人登记证书", false},
	CertPrivateNonEnterprise:       {"民办非企业单位登记证书", false},
	CertFoundation:                 {"基金会法人登记证书", false},
	CertLawFirmLicense:             {"律师事务所执业许可证", false},
	CertMedicalInstitutionLicense:  {"医疗机构执业许可证", false},
}

// Valid reports whether t is one of the declared certificate types.
func (t CertificateType) Valid() bool {
	_, ok := certInfos[t]
	return ok
}

// Label returns the Chinese name of the certificate, or "" if t is not
// valid.
func (t CertificateType) Label() string { return certInfos[t].label }

// Personal reports whether t identifies a natural person, i.e. whether it
// may be used as a Person's IDType.
func (t CertificateType) Personal() bool { return certInfos[t].personal }
