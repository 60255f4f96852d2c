package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// Reviewers refuse personal sites that are really a business, a forum or a
// regulated service (TC 网站信息: 个人备案…不能涉及企业、团体、论坛和前置审批
// 内容); the dry run says so at once.
func TestPersonalSubjectsCannotFileCommercialOrRegulatedContent(t *testing.T) {
	tests := []struct {
		name     string
		province string
		content  []filing.ContentType
		want     []got
	}{
		{"a blog", "ZJ", []filing.ContentType{filing.ContentPersonalSpace}, nil},
		{"other content, remarked", "ZJ", []filing.ContentType{filing.ContentOther}, nil},
		{"an online shop", "ZJ", []filing.ContentType{filing.ContentOnlineShopping},
			[]got{{"websites[0].content_types[0]", rules.CodeContentNotForPersonal}}},
		{"a company portal", "ZJ", []filing.ContentType{filing.ContentPersonalSpace, filing.ContentOrganizationPortal},
			[]got{{"websites[0].content_types[1]", rules.CodeContentNotForPersonal}}},
		{"news, which needs a pre-approval no individual can hold", "ZJ", []filing.ContentType{filing.ContentNews},
			[]got{{"websites[0].content_types[0]", rules.CodeContentPreApprovalPersonal}}},
		{"a forum", "ZJ", []filing.ContentType{filing.ContentBulletinBoard},
			[]got{{"websites[0].content_types[0]", rules.CodeContentPreApprovalPersonal}}},
		{"a blog in Shaanxi, where it needs the 网信办's approval", "SN", []filing.ContentType{filing.ContentPersonalSpace},
			[]got{{"websites[0].content_types[0]", rules.CodeContentNotForPersonal}}},
		{"other content in Jiangxi", "JX", []filing.ContentType{filing.ContentOther}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := personalIn(tt.province)
			app.Websites[0].ContentTypes = tt.content
			expectViolations(t, app, tt.want...)
		})
	}
}

func TestOrganisationsFileRegulatedContentWithItsPreApproval(t *testing.T) {
	app := validApplication()
	app.Websites[0].ContentTypes = []filing.ContentType{filing.ContentNews}
	expectViolations(t, app, got{"websites[0].pre_approvals", rules.CodePreApprovalMissing})
	app.Websites[0].PreApprovals = []filing.PreApproval{{Type: filing.ContentNews, DocumentNumber: "33120240001"}}
	expectViolations(t, app)
}

func TestPersonalWebsiteNamesWithoutPersonsPlacesOrGenericWords(t *testing.T) {
	tests := []struct {
		name string
		want []rules.Code
	}{
		{"读书笔记与书评", nil},
		{"张伟的读书笔记", []rules.Code{rules.CodeNamePersonName}},
		{"伟的读书笔记", nil}, // a single character of the name is not the name
		{"杭州美食探店笔记", []rules.Code{rules.CodeNamePlaceName}},
		{"浙江山水摄影集", []rules.Code{rules.CodeNamePlaceName}},
		{"内蒙古草原游记", []rules.Code{rules.CodeNamePlaceName}},
		{"个人网站", []rules.Code{rules.CodeNameGeneric, rules.CodeNamePersonalWord}},
		{"我的博客", []rules.Code{rules.CodeNameGeneric, rules.CodeNamePersonalWord}},
		{"测试网站", []rules.Code{rules.CodeNameGeneric, rules.CodeNamePersonalWord}},
		{"摄影爱好者之家", []rules.Code{rules.CodeNamePersonalWord}},
		{"在线工具箱", []rules.Code{rules.CodeNamePersonalWord}},
		{"每日新闻速递", []rules.Code{rules.CodeContentPreApprovalPersonal}},
		{"理财心得记录", []rules.Code{rules.CodeContentPreApprovalPersonal}},
		{"独立游戏评测", []rules.Code{rules.CodeContentPreApprovalPersonal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := personalApplication()
			app.Websites[0].Name = tt.name
			expectViolations(t, app, onField("websites[0].name", tt.want...)...)
		})
	}
}

func TestTheResponsiblePersonsNameIsAPersonsNameToo(t *testing.T) {
	app := personalApplication()
	app.Websites[0].ResponsibleSameAsLeader = false
	app.Websites[0].Responsible = filing.Person{Name: "李娜", IDType: filing.CertResidentID, IDNumber: liNaID,
		Mobile: "13700137000", Email: "lina@163.com"}
	app.Websites[0].Name = "李娜摄影作品集"
	expectViolations(t, app, got{"websites[0].name", rules.CodeNamePersonName})
}

func TestOrganisationNamesThatClaimARegulatedField(t *testing.T) {
	tests := []struct {
		name    string
		content []filing.ContentType
		pre     []filing.PreApproval
		want    []got
	}{
		{"云栖科技官网", nil, nil, nil},
		{"云栖新闻网", nil, nil, []got{{"websites[0].name", rules.CodeNameRegulatedWord}}},
		{"云栖新闻网", []filing.ContentType{filing.ContentNews}, nil, []got{{"websites[0].pre_approvals", rules.CodePreApprovalMissing}}},
		{"云栖新闻网", []filing.ContentType{filing.ContentNews}, []filing.PreApproval{{Type: filing.ContentNews, DocumentNumber: "33120240001"}}, nil},
		{"云栖支付服务中心", nil, nil, []got{{"websites[0].name", rules.CodeNameRegulatedWord}}},
		{"官方网站", nil, nil, []got{{"websites[0].name", rules.CodeNameGeneric}}},
		// Place names are only refused for personal sites.
		{"杭州云栖科技官网", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := validApplication()
			w := &app.Websites[0]
			w.Name, w.PreApprovals = tt.name, tt.pre
			if tt.content != nil {
				w.ContentTypes = tt.content
			}
			expectViolations(t, app, tt.want...)
		})
	}
}

// personalIn moves the sample individual to a province, with a resident ID
// issued there so that local-ID rules pass.
func personalIn(code string) filing.Application {
	app := personalApplication()
	if code == "ZJ" {
		return app
	}
	p, _ := rules.LookupProvince(code)
	s := &app.Subject
	s.Province = code
	s.CertificateAddress.Province, s.MailingAddress.Province = code, code
	city := map[string]string{"SN": "西安市", "JX": "南昌市", "HB": "武汉市", "QH": "西宁市", "GD": "深圳市", "SH": "上海市", "BJ": "北京市",
		"SD": "济南市", "TJ": "天津市"}[code]
	s.CertificateAddress.City, s.MailingAddress.City = city, city
	id := residentID(p.DivisionCode()+"0102", "19900307", "123")
	s.CertificateNumber, s.Leader.IDNumber = id, id
	return app
}

// Jiangsu wants numbers of the province (J-JS: 所有上报的手机号码必须为江苏本地
// 号段); a landline says where it is by its area code.
func TestJiangsuRefusesALandlineFromAnotherProvince(t *testing.T) {
	app := inProvince(validApplication(), "JS", "南京市")
	app.Subject.Leader.OfficePhone = "025-84680000"
	expectViolations(t, app)
	app.Subject.Leader.OfficePhone = "0571-88158000"
	expectViolations(t, app, got{"subject.leader.office_phone", rules.CodePhoneNotLocal})
	// Zhejiang has no such rule.
	app = validApplication()
	app.Subject.Leader.OfficePhone = "025-84680000"
	expectViolations(t, app)
}

func TestShanghaiWantsEveryWebsiteInSimplifiedChinese(t *testing.T) {
	app := inProvince(validApplication(), "SH", "上海市")
	app.Websites[0].Languages = []filing.Language{filing.LangEnglish}
	expectViolations(t, app, got{"websites[0].languages", rules.CodeLanguageSimplifiedChineseMissing})
	app.Websites[0].Languages = []filing.Language{filing.LangEnglish, filing.LangChineseSimplified}
	expectViolations(t, app)
	zj := validApplication()
	zj.Websites[0].Languages = []filing.Language{filing.LangEnglish}
	expectViolations(t, zj)
}

// Reviewers read in the remarks what a personal site is about (Q-GEN: 个人
// 备案时，需要备注实际开办网站的内容描述), and Tianjin wants its statement
// there since 2011-09-08 (Q-TJ).
func TestAPersonalFilingSaysInTheRemarksWhatTheSiteIs(t *testing.T) {
	app := personalApplication()
	app.Remarks = " "
	expectViolations(t, app, got{"remarks", rules.CodeRemarksContentMissing})

	tj := personalIn("TJ")
	tj.Subject.CertificateAddress.City, tj.Subject.MailingAddress.City = "天津市", "天津市"
	expectViolations(t, tj, got{"remarks", rules.CodeRemarksStatementMissing})
	statement := "本网站是个人网站，不含有企业、单位等非个人网站的信息，若在核实中发现网站中含有企业、单位等信息，本人愿接受以虚假信息进行备案，注销网站，并将主体和域名加入黑名单的处罚"
	tj.Remarks = "读书笔记与书评。" + statement + "。"
	expectViolations(t, tj)
	// Retyped with half-width commas and spaces it is the same statement.
	tj.Remarks = strings.ReplaceAll(statement, "，", ", ")
	expectViolations(t, tj)
	if vs := rules.Validate(personalIn("TJ"), chinaMidnight(2011, 9, 7), nil); slices.ContainsFunc(vs, func(v rules.Violation) bool { return v.Code == rules.CodeRemarksStatementMissing }) {
		t.Error("the statement is required from 2011-09-08")
	}
}
