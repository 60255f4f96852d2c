package filing

// SubjectNature is the nature of the filing subject (主办单位性质). It decides
// which certificates are acceptable and which website names are allowed.
type SubjectNature string

// Subject natures offered by the providers' filing forms.
const (
	// NaturePersonal is 个人: an individual filing a personal website.
	NaturePersonal SubjectNature = "personal"
	// NatureEnterprise is 企业, including sole proprietors (个体工商户).
	NatureEnterprise SubjectNature = "enterprise"
	// NatureGovernment is 政府机关, a state organ.
	NatureGovernment SubjectNature = "government"
	// NaturePublicInstitution is 事业单位.
	NaturePublicInstitution SubjectNature = "public_institution"
	// NatureSocialOrganization is 社会团体.
	NatureSocialOrganization SubjectNature = "social_organization"
	// NaturePrivateNonEnterprise is 民办非企业单位.
	NaturePrivateNonEnterprise SubjectNature = "private_non_enterprise"
	// NatureFoundation is 基金会.
	NatureFoundation SubjectNature = "foundation"
	// NatureLawFirm is 律师执业机构 (law firm).
	NatureLawFirm SubjectNature = "law_firm"
	// NatureMedicalInstitution is 医疗机构 filing with its practising licence.
	NatureMedicalInstitution SubjectNature = "medical_institution"
)

var natureLabels = map[SubjectNature]string{
	NaturePersonal:             "个人",
	NatureEnterprise:           "企业",
	NatureGovernment:           "政府机关",
	NaturePublicInstitution:    "事业单位",
	NatureSocialOrganization:   "社会团体",
	NaturePrivateNonEnterprise: "民办非企业单位",
	NatureFoundation:           "基金会",
	NatureLawFirm:              "律师执业机构",
	NatureMedicalInstitution:   "医疗机构",
}

// Valid reports whether n is one of the declared natures.
func (n SubjectNature) Valid() bool {
	_, ok := natureLabels[n]
	return ok
}

// Label returns the Chinese term shown on filing forms, or "" if n is not
// valid.
func (n SubjectNature) Label() string { return natureLabels[n] }

// Personal reports whether the subject is an individual rather than an
// organisation; many rules apply to one group only.
func (n SubjectNature) Personal() bool { return n == NaturePersonal }
