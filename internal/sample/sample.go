// Package sample builds realistic filing applications and identity numbers
// with correct check digits, for tests in any package. The generators are
// written from the standards (GB 11643, GB 11714, GB 32100), not from the
// rules package they test.
package sample

import "github.com/beianflow/beianflow/filing"

// ResidentID builds a mainland-layout ID number with a correct GB 11643
// check digit, written from the standard rather than from the package.
func ResidentID(region, birth, seq string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	body := region + birth + seq
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// WithWrongCheck replaces the last character with another valid one.
func WithWrongCheck(id string) string {
	last := id[len(id)-1]
	for _, c := range []byte("0123456789X") {
		if c != last {
			return id[:len(id)-1] + string(c)
		}
	}
	panic("unreachable")
}

// OrgCode builds a GB 11714 organisation code from eight body characters.
func OrgCode(body string) string {
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

// CreditCode builds a GB 32100 unified social credit code.
func CreditCode(prefix, region, body string) string {
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
	LeaderID          = ResidentID("330106", "19850312", "123")
	ResponsibleID     = ResidentID("330102", "19920715", "246")
	CompanyCreditCode = CreditCode("91", "330106", OrgCode("MA27UK8P"))
)

// ValidApplication is a complete, correct 新增网站 order of a Hangzhou
// company adding two websites, one with an IDN and a pre-approval.
func ValidApplication() filing.Application {
	return filing.Application{
		Subject: filing.Subject{
			Province:           "ZJ",
			Nature:             filing.NatureEnterprise,
			CertificateType:    filing.CertBusinessLicense,
			CertificateNumber:  CompanyCreditCode,
			Name:               "杭州云栖网络科技有限公司",
			CertificateAddress: filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: "文三路90号"},
			MailingAddress:     filing.Address{Province: "ZJ", City: "杭州", District: "西湖区", Detail: "文三路90号东部软件园1号楼"},
			Leader: filing.Person{
				Name: "张伟", IDType: filing.CertResidentID, IDNumber: LeaderID,
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
					Name: "李娜", IDType: filing.CertResidentID, IDNumber: ResponsibleID,
					Mobile: "+86 137 0013 7000", Email: "lina@yunqi-tech.com",
				},
			},
		},
		Product: filing.ProductVerification{ServiceNumber: "A1B2C3D4E5F6"},
	}
}
