package rules_test

import (
	"slices"
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/rules"
)

// asOf is the check date of most tests: a Monday afternoon in Hangzhou.
var asOf = time.Date(2026, time.August, 3, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Shorthands for the shared sample data (internal/sample).
var (
	residentID       = sample.ResidentID
	withWrongCheck   = sample.WithWrongCheck
	orgCode          = sample.OrgCode
	creditCode       = sample.CreditCode
	validApplication = sample.ValidApplication
	zhangWeiID       = sample.LeaderID
	liNaID           = sample.ResponsibleID
	companyUSCC      = sample.CompanyCreditCode
)

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

// onField is the violations of codes, all on field.
func onField(field string, codes ...rules.Code) []got {
	var out []got
	for _, c := range codes {
		out = append(out, got{field, c})
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
			Name:                    "读书笔记与书评",
			Domain:                  "zhangwei.cn",
			HomepageURL:             "www.zhangwei.cn",
			ContentTypes:            []filing.ContentType{filing.ContentPersonalSpace},
			Languages:               []filing.Language{filing.LangChineseSimplified},
			ResponsibleSameAsLeader: true,
		}},
		Product: filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-bp1a2b3c4d5e6f7g8h9i", Region: "cn-hangzhou"}},
		Remarks: "个人读书笔记与书评，记录阅读心得，不涉及经营性内容。",
	}
}

// parseCase is an input of a parser and the violation code it must answer
// ("" for an accepted input).
type parseCase struct {
	name  string
	input string
	want  rules.Code
}

// checkParse runs parse (named fn in failures) over cases; accepted checks
// what an accepted input parsed to.
func checkParse[T any](t *testing.T, fn string, parse func(string) (T, error), cases []parseCase, accepted func(t *testing.T, in string, v T)) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parse(tt.input)
			if got := codeOf(t, err); got != tt.want {
				t.Fatalf("%s(%q) code = %q, want %q", fn, tt.input, got, tt.want)
			}
			if err == nil {
				accepted(t, tt.input, v)
			}
		})
	}
}
