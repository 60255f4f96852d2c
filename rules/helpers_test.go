package rules_test

import (
	"slices"
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// asOf is the check date of most tests: a Monday afternoon in Hangzhou.
var asOf = time.Date(2026, time.August, 3, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))

// residentID builds a mainland-layout ID number with a correct GB 11643
// check digit, written from the standard rather than from the package.
func residentID(region, birth, seq string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	body := region + birth + seq
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// withWrongCheck replaces the last character with another valid one.
func withWrongCheck(id string) string {
	last := id[len(id)-1]
	for _, c := range []byte("0123456789X") {
		if c != last {
			return id[:len(id)-1] + string(c)
		}
	}
	panic("unreachable")
}

// orgCode builds a GB 11714 organisation code from eight body characters.
func orgCode(body string) string {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * w
	}
	switch r := 11 - sum%11; r {
	case 10:
		return body + "X"
	case 11:
		return body + "0"
	default:
		return body + string(byte('0'+r))
	}
}

// creditCode builds a GB 32100 unified social credit code.
func creditCode(prefix, region, body string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	s := prefix + region + body
	sum, w := 0, 1
	for i := range 17 {
		sum += indexByte(chars, s[i]) * w
		w = w * 3 % 31
	}
	return s + string(chars[(31-sum%31)%31])
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	panic("character " + string(c) + " outside GB 32100")
}

// Identity numbers of the people in the sample application.
var (
	zhangWeiID  = residentID("330106", "19850312", "123")
	liNaID      = residentID("330102", "19920715", "246")
	companyUSCC = creditCode("91", "330106", orgCode("MA27UK8P"))
)

// validApplication is a complete, correct 新增网站 order of a Hangzhou
// company adding two websites, one with an IDN and a pre-approval.
func validApplication() filing.Application {
	return filing.Application{
		Subject: filing.Subject{
			Province:           "ZJ",
			Nature:             filing.NatureEnterprise,
			CertificateType:    filing.CertBusinessLicense,
			CertificateNumber:  companyUSCC,
			Name:               "杭州云栖网络科技有限公司",
			CertificateAddress: filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: "文三路90号"},
			MailingAddress:     filing.Address{Province: "ZJ", City: "杭州", District: "西湖区", Detail: "文三路90号东部软件园1号楼"},
			Leader: filing.Person{
				Name: "张伟", IDType: filing.CertResidentID, IDNumber: zhangWeiID,
				Mobile: "13800138000", Email: "zhangwei@yunqi-tech.com", IsLegalRepresentative: true,
			},
			EmergencyPhone: "13900139000",
		},
		Websites: []filing.Website{
			{
				Name:                    "云栖科技官网",
				Domain:                  "yunqi-tech.com",
				HomepageURL:             "https://www.yunqi-tech.com/",
				ContentTypes:            []filing.ContentType{filing.ContentOrganizationPortal},
				Languages:               []filing.Language{filing.LangChineseSimplified},
				ResponsibleSameAsLeader: true,
			},
			{
				Name:         "云栖开发者学院",
				Domain:       "云栖.中国",
				HomepageURL:  "http://docs.云栖.中国/index.html",
				ContentTypes: []filing.ContentType{filing.ContentEducation},
				Languages:    []filing.Language{filing.LangChineseSimplified, filing.LangEnglish},
				PreApprovals: []filing.PreApproval{{Type: filing.ContentEducation, DocumentNumber: "浙教审〔2025〕12号"}},
				Responsible: filing.Person{
					Name: "李娜", IDType: filing.CertResidentID, IDNumber: liNaID,
					Mobile: "+86 137 0013 7000", Email: "lina@yunqi-tech.com",
				},
			},
		},
		Product: filing.ProductVerification{ServiceNumber: "A1B2C3D4E5F6"},
	}
}

// got is a violation reduced to what tests assert on.
type got struct {
	Field string
	Code  rules.Code
}

func reduce(vs []rules.Violation) []got {
	out := make([]got, len(vs))
	for i, v := range vs {
		out[i] = got{v.Field, v.Code}
	}
	return out
}

// expectViolations validates app and requires exactly want, in order.
func expectViolations(t *testing.T, app filing.Application, want ...got) {
	t.Helper()
	expectViolationsWith(t, app, nil, want...)
}

func expectViolationsWith(t *testing.T, app filing.Application, rs *rules.RuleSet, want ...got) {
	t.Helper()
	have := reduce(rules.Validate(app, asOf, rs))
	if !slices.Equal(have, want) {
		t.Errorf("violations\n have %v\n want %v", have, want)
	}
}

// inProvince moves the sample company to another province, keeping one
// website because Hubei and Hunan allow only one per order.
func inProvince(app filing.Application, code, city string) filing.Application {
	s := &app.Subject
	s.Province = code
	s.CertificateAddress.Province, s.CertificateAddress.City = code, city
	s.MailingAddress.Province, s.MailingAddress.City = code, city
	app.Websites = app.Websites[:1]
	return app
}

// personalApplication is a complete personal filing of a blog in Zhejiang.
func personalApplication() filing.Application {
	return filing.Application{
		Subject: filing.Subject{
			Province:           "ZJ",
			Nature:             filing.NaturePersonal,
			CertificateType:    filing.CertResidentID,
			CertificateNumber:  zhangWeiID,
			Name:               "张伟",
			CertificateAddress: filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: "文一西路969号"},
			MailingAddress:     filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: "文一西路969号"},
			Leader: filing.Person{
				Name: "张伟", IDType: filing.CertResidentID, IDNumber: zhangWeiID,
				Mobile: "13800138000", Email: "zhangwei@163.com",
			},
			EmergencyPhone: "13900139000",
		},
		Websites: []filing.Website{{
			Name:                    "张伟的读书笔记",
			Domain:                  "zhangwei.cn",
			HomepageURL:             "www.zhangwei.cn",
			ContentTypes:            []filing.ContentType{filing.ContentPersonalSpace},
			Languages:               []filing.Language{filing.LangChineseSimplified},
			ResponsibleSameAsLeader: true,
		}},
		Product: filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-bp1a2b3c4d5e6f7g8h9i", Region: "cn-hangzhou"}},
	}
}
