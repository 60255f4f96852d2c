package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestPersonalWebsiteNames(t *testing.T) {
	tests := []struct {
		name string
		want []rules.Code
	}{
		{"张伟的读书笔记", []rules.Code{rules.CodeNamePersonName}},
		{"读书笔记（第二版）", nil},
		{"Go语言学习笔记", nil},
		{"读书", []rules.Code{rules.CodeNameTooShort}},
		{"MyBlog2024", []rules.Code{rules.CodeNameOnlyLatinOrDigits}},
		{"读书笔记!", []rules.Code{rules.CodeNameSpecialSymbol}},
		{"读书 笔记", []rules.Code{rules.CodeNameSpecialSymbol}},
		{"zhangwei.cn", []rules.Code{rules.CodeNameIsDomain}},
		{"WWW.ZHANGWEI.CN", []rules.Code{rules.CodeNameIsDomain}},
		{"赌博技巧分享", []rules.Code{rules.CodeNameForbiddenWord}},
		{"张伟的技术博客", []rules.Code{rules.CodeNamePersonalWord, rules.CodeNamePersonName}},
		{"张伟工作室", []rules.Code{rules.CodeNamePersonalWord, rules.CodeNamePersonName}},
		{"读书资讯网站", []rules.Code{rules.CodeNamePersonalWord}},
		{"中国读书笔记", []rules.Code{rules.CodeNameStatePrefix}},
		{"华夏文明笔记", nil}, // 华夏 is only on third-party lists
		{"色情论坛", []rules.Code{rules.CodeNameForbiddenWord, rules.CodeNamePersonalWord}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := personalApplication()
			app.Websites[0].Name = tt.name
			expectViolations(t, app, onField("websites[0].name", tt.want...)...)
		})
	}
}

func TestOrganisationWebsiteNames(t *testing.T) {
	tests := []struct {
		subject string
		nature  filing.SubjectNature
		name    string
		want    []rules.Code
	}{
		{"杭州云栖网络科技有限公司", filing.NatureEnterprise, "云栖科技官网", nil},
		{"杭州云栖网络科技有限公司", filing.NatureEnterprise, "云栖开发者社区论坛", []rules.Code{rules.CodeNameRegulatedWord}},
		{"杭州云栖网络科技有限公司", filing.NatureEnterprise, "中国云计算门户", []rules.Code{rules.CodeNameStatePrefix}},
		{"中国云栖网络科技有限公司", filing.NatureEnterprise, "中国云栖官网", nil},
		{"杭州云栖网络科技有限公司", filing.NatureEnterprise, "反腐倡廉宣传", []rules.Code{rules.CodeNameForbiddenWord, rules.CodeNameStatePrefix}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := validApplication()
			app.Subject.Name, app.Subject.Nature = tt.subject, tt.nature
			app.Websites[0].Name = tt.name
			expectViolations(t, app, onField("websites[0].name", tt.want...)...)
		})
	}
}

func TestStateBodiesMayUseNationalPrefixes(t *testing.T) {
	app := validApplication()
	app.Subject.Nature = filing.NatureGovernment
	app.Subject.CertificateType = filing.CertCreditCodeCertificate
	app.Subject.CertificateNumber = creditCode("11", "330000", orgCode("00250203"))
	app.Subject.Name = "浙江省数据局"
	app.Websites[0].Name = "国家数据开放平台浙江站"
	expectViolations(t, app)
}

func TestForbiddenWordMessageNamesTheWords(t *testing.T) {
	app := validApplication()
	app.Websites[0].Name = "廉政赌博观察"
	vs := rules.Validate(app, asOf, nil)
	if len(vs) != 1 || vs[0].Message.ZH != "网站名称包含敏感词：赌博、廉政。" {
		t.Errorf("violations = %+v", vs)
	}
}
