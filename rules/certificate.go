package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/beianflow/beianflow/filing"
)

// certNumber is what a certificate number reveals beyond being well formed.
type certNumber struct {
	// id is set for documents in the GB 11643 layout (birth date inside).
	id    ResidentID
	hasID bool
	// credit is set for documents numbered by a unified social credit code.
	credit    CreditCode
	hasCredit bool
}

// CheckCertificateNumber checks number against the format of certificate
// type t. Types without a nationally fixed format (医疗机构执业许可证) and
// unknown types pass. Errors are *FormatError.
func CheckCertificateNumber(t filing.CertificateType, number string) error {
	if _, err := parseCertificateNumber(t, number); err != nil {
		return err
	}
	return nil
}

func parseCertificateNumber(t filing.CertificateType, s string) (certNumber, *FormatError) {
	switch t {
	case filing.CertResidentID:
		return idLayout(s, isMainlandRegion)
	case filing.CertHKMacauResidencePermit:
		// 810000 Hong Kong, 820000 Macau (GB/T 2260 codes of the regions).
		return idLayout(s, func(r string) bool { return r == "810000" || r == "820000" })
	case filing.CertTaiwanResidencePermit:
		return idLayout(s, func(r string) bool { return r == "830000" })
	case filing.CertForeignPermanentResidentID:
		return foreignPermanentID(s)
	case filing.CertHKMacauPermit:
		return certNumber{}, hkMacauPermit(s)
	case filing.CertTaiwanPermit:
		if s = strings.TrimSpace(s); len(s) != 8 || !allDigits(s) {
			return certNumber{}, formatErr(CodeTaiwanPermitFormat)
		}
		return certNumber{}, nil
	case filing.CertPassport:
		return certNumber{}, passport(s)
	case filing.CertOrganizationCode:
		if _, err := ParseOrganizationCode(s); err != nil {
			return certNumber{}, formatOf(err)
		}
		return certNumber{}, nil
	case filing.CertBusinessLicense, filing.CertCreditCodeCertificate, filing.CertPublicInstitution,
		filing.CertSocialOrganization, filing.CertPrivateNonEnterprise, filing.CertFoundation,
		filing.CertLawFirmLicense:
		// Since the 2015–2017 registration reform these certificates all
		// print the unified social credit code as their number.
		c, err := ParseCreditCode(s)
		if err != nil {
			return certNumber{}, formatOf(err)
		}
		return certNumber{credit: c, hasCredit: true}, nil
	}
	return certNumber{}, nil
}

func idLayout(s string, regionOK func(string) bool) (certNumber, *FormatError) {
	id, err := parseIDLayout(s, regionOK)
	if err != nil {
		return certNumber{}, err
	}
	return certNumber{id: id, hasID: true}, nil
}

// foreignPermanentID accepts the 2004 card (three-letter nationality code
// and twelve digits) and the 2023 card, which uses the resident ID layout
// with a leading 9.
func foreignPermanentID(s string) (certNumber, *FormatError) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch utf8.RuneCountInString(s) {
	case 18:
		return idLayout(s, func(r string) bool { return r[0] == '9' })
	case 15:
		if len(s) == 15 && isUpperLetters(s[:3]) && allDigits(s[3:]) {
			return certNumber{}, nil
		}
	}
	return certNumber{}, formatErr(CodeForeignPermanentIDFormat)
}

// hkMacauPermit accepts the card issued since 2013 (H/M + 8 digits), the
// older booklet numbers (H/M + 10 digits, the last two counting renewals)
// and the permit for non-Chinese permanent residents issued since
// 2024-07-10 (HA/MA + 7 digits).
func hkMacauPermit(s string) *FormatError {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 2 || (s[0] != 'H' && s[0] != 'M') {
		return formatErr(CodeHKMacauPermitFormat)
	}
	rest := s[1:]
	if rest[0] == 'A' {
		rest = rest[1:]
		if len(rest) == 7 && allDigits(rest) {
			return nil
		}
		return formatErr(CodeHKMacauPermitFormat)
	}
	if (len(rest) == 8 || len(rest) == 10) && allDigits(rest) {
		return nil
	}
	return formatErr(CodeHKMacauPermitFormat)
}

// passport accepts 5–17 letters and digits with at least one digit: that
// covers Chinese passports (E12345678, EA1234567) and foreign ones, whose
// formats MIIT does not restrict further.
func passport(s string) *FormatError {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 5 || len(s) > 17 {
		return formatErr(CodePassportFormat)
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case 'A' <= c && c <= 'Z':
		default:
			return formatErr(CodePassportFormat)
		}
	}
	if digits == 0 {
		return formatErr(CodePassportFormat)
	}
	return nil
}

func isUpperLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// sameCertificateNumber compares numbers the way the MIIT lookup does:
// ignoring case and surrounding spaces.
func sameCertificateNumber(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
