package rules

import "github.com/beianflow/beianflow/filing"

// PhotoMode is how the website responsible person's authenticity is
// verified (拍照核验 / 人脸核验).
type PhotoMode string

// Photo verification modes.
const (
	// PhotoBackdrop is the provider-shipped backdrop (幕布) photo.
	PhotoBackdrop PhotoMode = "backdrop_photo"
	// PhotoShanghaiBureauApp is the Shanghai Communications Administration
	// app's portrait check, taken physically in Shanghai.
	PhotoShanghaiBureauApp PhotoMode = "shanghai_bureau_app"
	// PhotoProviderApp is the provider app's face verification.
	PhotoProviderApp PhotoMode = "provider_app"
)

// Valid reports whether m is one of the declared modes.
func (m PhotoMode) Valid() bool {
	switch m {
	case PhotoBackdrop, PhotoShanghaiBureauApp, PhotoProviderApp:
		return true
	}
	return false
}

// ProvinceRules are the rules of one province on one date, resolved from a
// RuleSet by For: national entries overridden by the province's own, list
// kinds merged. Zero values mean the rule does not apply.
type ProvinceRules struct {
	province Province

	minAge              ageRule
	leaderLegalRep      bool
	responsibleDistinct bool
	// authorizedLeaderResponsible: a leader who is not the legal
	// representative must be every website's responsible person.
	authorizedLeaderResponsible bool
	distinctContacts            bool
	emergencyDistinct           bool
	addressSameProvince         bool
	addressSameCity             bool
	orgInDomicileProvince       bool
	personalLocalID             bool
	residencePermit             bool
	localPhone                  bool
	authorizationLetter         bool
	commitmentLetter            map[filing.SubjectNature]bool
	houseNumberRemark           string
	personalRemarks             bool   // personal filings describe the content in the remarks
	personalStatement           string // statement a personal filing's remarks must contain

	certTypes       map[filing.SubjectNature]map[filing.CertificateType]bool
	personIDTypes   map[filing.CertificateType]bool
	creditPrefixes  map[filing.SubjectNature]map[string]bool
	approvedTLDs    tldSet
	tldWhitelist    tldSet
	natureTLDs      map[filing.SubjectNature]tldSet
	preApprovalNeed map[filing.ContentType]bool
	registrars      registrarSet

	personalNoPreApproval bool
	personalForbidden     map[filing.ContentType]bool

	nameMinHan     int
	nameSymbols    string
	forbiddenWords []string
	personalWords  []string
	statePrefixes  statePrefixRule
	genericNames   []string
	noPersonName   bool
	noPlaceName    bool
	placeNames     []string
	regulatedWords []regulatedWord

	maxWebsites int
	maxDomains  int

	sms                bool
	photo              PhotoMode
	mobileAppUpload    bool
	domainCertificate  bool
	reviewBusinessDays int
	domainValidityDays int
	// holderIsOrganization: an organisation's domain is held by the
	// organisation itself, not its legal representative.
	holderIsOrganization bool
	// simplifiedChinese: every website's languages include 简体中文.
	simplifiedChinese bool
}

// Province returns the province the rules were resolved for; the zero
// Province if the code given to For was unknown.
func (p ProvinceRules) Province() Province { return p.province }

// SMSVerificationRequired reports whether MIIT sends the SMS verification
// (工信部短信核验) that must be completed before the bureau reviews the order.
func (p ProvinceRules) SMSVerificationRequired() bool { return p.sms }

// PhotoVerificationMode returns how the responsible person is verified.
func (p ProvinceRules) PhotoVerificationMode() PhotoMode { return p.photo }

// MobileAppUploadAllowed reports whether documents and the responsible
// person's photo may be uploaded through the provider's mobile app.
func (p ProvinceRules) MobileAppUploadAllowed() bool { return p.mobileAppUpload }

// DomainCertificateRequired reports whether the bureau wants the registrar's
// domain certificate (域名证书) uploaded.
func (p ProvinceRules) DomainCertificateRequired() bool { return p.domainCertificate }

// BureauReviewMaxBusinessDays is the statutory maximum of the bureau review
// (管局审核) in business days; 0 if the rule set has no entry.
func (p ProvinceRules) BureauReviewMaxBusinessDays() int { return p.reviewBusinessDays }

// DomainMinValidityDays is the registration validity a domain must have left
// at submission; 0 if there is no requirement.
func (p ProvinceRules) DomainMinValidityDays() int { return p.domainValidityDays }

// MinimumAge is the age persons named in a filing by a subject of nature n
// must have reached; 0 if no minimum applies.
func (p ProvinceRules) MinimumAge(n filing.SubjectNature) int { return p.minAge.of(n) }
