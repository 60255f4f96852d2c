package rules_test

import (
	"strings"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestUnifiedSocialCreditCodes(t *testing.T) {
	checkParse(t, "ParseCreditCode", rules.ParseCreditCode, []parseCase{
		{"example printed in GB 32100", "91350100M000100Y43", ""},
		{"Shenzhen Tencent Computer Systems", "9144030071526726XG", ""},
		{"generated Hangzhou company", companyUSCC, ""},
		{"public institution", creditCode("12", "330000", orgCode("47000012")), ""},
		{"lower case with spaces", " " + strings.ToLower(companyUSCC) + " ", ""},
		{"wrong check character", companyUSCC[:17] + nextCreditChar(companyUSCC[17]), rules.CodeCreditCodeCheck},
		{"O instead of 0", strings.Replace(companyUSCC, "0", "O", 1), rules.CodeCreditCodeCharset},
		{"letter I", companyUSCC[:9] + "I" + companyUSCC[10:], rules.CodeCreditCodeCharset},
		{"full-width character", companyUSCC[:17] + "Ｘ", rules.CodeCreditCodeCharset},
		{"letter in the region code", creditCode("91", "3301A6", orgCode("MA27UK8P")), rules.CodeCreditCodeRegion},
		{"17 characters", companyUSCC[:17], rules.CodeCreditCodeLength},
		{"old 15-digit registration number", "330106000123456", rules.CodeCreditCodeLength},
	}, func(t *testing.T, in string, c rules.CreditCode) {
		if c.String() != strings.ToUpper(strings.TrimSpace(in)) {
			t.Errorf("String() = %q", c.String())
		}
	})
}

func nextCreditChar(c byte) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	return string(chars[(strings.IndexByte(chars, c)+1)%len(chars)])
}

func TestCreditCodeRevealsItsParts(t *testing.T) {
	c, err := rules.ParseCreditCode("9144030071526726XG")
	if err != nil {
		t.Fatal(err)
	}
	if c.Prefix() != "91" || c.Region != "440300" || c.Body != "71526726X" || c.Check != 'G' {
		t.Errorf("parts = %+v", c)
	}
	if _, err := rules.ParseOrganizationCode(c.Body); err != nil {
		t.Errorf("the subject identifier is an organisation code: %v", err)
	}
}

func TestOrganizationCodes(t *testing.T) {
	checkParse(t, "ParseOrganizationCode", rules.ParseOrganizationCode, []parseCase{
		{"as printed, with hyphen", "71526726-X", ""},
		{"without hyphen", "71526726X", ""},
		{"generated with letters", orgCode("MA27UK8P"), ""},
		{"check 0 case", orgCode("00000011"), ""},
		{"wrong check character", "71526726-1", rules.CodeOrgCodeCheck},
		{"eight characters", "71526726", rules.CodeOrgCodeFormat},
		{"lower-case body is accepted", "ma27uk8p" + orgCode("MA27UK8P")[8:], ""},
		{"symbol in the body", "7152#726-X", rules.CodeOrgCodeFormat},
		{"check character Y", "71526726-Y", rules.CodeOrgCodeFormat},
	}, func(t *testing.T, in string, c rules.OrganizationCode) {
		if len(c.String()) != 10 {
			t.Errorf("String() = %q", c.String())
		}
	})
}

func TestCreditCodeMustMatchSubjectNature(t *testing.T) {
	app := validApplication()
	app.Subject.CertificateNumber = creditCode("12", "330106", orgCode("47000012"))
	expectViolations(t, app, got{"subject.certificate_number", rules.CodeCreditCodeNature})

	app.Subject.Nature = filing.NaturePublicInstitution
	app.Subject.CertificateType = filing.CertPublicInstitution
	// 事业单位 may only use .cn and .公益 domains.
	app.Websites[0].Domain, app.Websites[0].HomepageURL = "yunqi-tech.cn", "https://www.yunqi-tech.cn"
	app.Websites[1].Domain = "yunqi.cn"
	app.Websites[1].HomepageURL = "http://yunqi.cn"
	expectViolations(t, app)
}

func TestSubjectCertificateNumberErrorsPointAtTheNumber(t *testing.T) {
	app := validApplication()
	app.Subject.CertificateNumber = withWrongCheck(companyUSCC)
	expectViolations(t, app, got{"subject.certificate_number", rules.CodeCreditCodeCheck})
}
