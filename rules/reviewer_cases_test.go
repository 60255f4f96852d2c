package rules_test

import (
	"slices"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// reviewerCase is an application as reviewers and bureaus decide it: the
// codes they would refuse it for, none for an accepted one.
type reviewerCase struct {
	name   string
	source string // where the decision comes from (rules/data/SOURCES.md)
	app    func() filing.Application
	want   []rules.Code
}

// personalBornIn is the sample individual filing in province code with a
// resident ID from region (the province's own division when empty),
// born on birth (YYYYMMDD).
func personalBornIn(code, region, birth string) filing.Application {
	app := personalIn(code)
	if region == "" {
		p, _ := rules.LookupProvince(code)
		region = p.DivisionCode() + "0102"
	}
	id := residentID(region, birth, "123")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = id, id
	return app
}

func withWebsite(app filing.Application, change func(w *filing.Website)) filing.Application {
	change(&app.Websites[0])
	return app
}

// The dry run decides a set of applications the way reviewers and bureaus
// do, across naming, ages, legal representatives, regulated content and
// TLD lists: every case must come back as decided.
func TestReviewerDecidedApplications(t *testing.T) {
	org := validApplication
	cases := []reviewerCase{
		{"a personal reading blog in Zhejiang", "Q-NAME, TO-FAQ", personalApplication, nil},
		{"a personal blog named after its author", "TO-FAQ, O5", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) { w.Name = "张伟读书笔记" })
		}, []rules.Code{rules.CodeNamePersonName}},
		{"a personal site named after its city", "O5, H-KB doc_0019", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) { w.Name = "杭州美食地图" })
		}, []rules.Code{rules.CodeNamePlaceName}},
		{"a personal blog called a blog", "Q-LIM, H-KB doc_0019", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) { w.Name = "读书心得博客" })
		}, []rules.Code{rules.CodeNamePersonalWord}},
		{"a personal site called 个人网站", "T4 (名称与内容有关)", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) { w.Name = "个人网站" })
		}, []rules.Code{rules.CodeNameGeneric, rules.CodeNamePersonalWord}},
		{"a personal online shop", "TC 新增网站", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) {
				w.ContentTypes = []filing.ContentType{filing.ContentOnlineShopping}
			})
		}, []rules.Code{rules.CodeContentNotForPersonal}},
		{"a personal news site", "TC 网站信息 (个人无法办理前置审批文件)", func() filing.Application {
			return withWebsite(personalApplication(), func(w *filing.Website) {
				w.ContentTypes = []filing.ContentType{filing.ContentNews}
			})
		}, []rules.Code{rules.CodeContentPreApprovalPersonal}},
		{"a company's 新闻网 without news content", "MIIT 2009", func() filing.Application {
			return withWebsite(org(), func(w *filing.Website) { w.Name = "云栖新闻网" })
		}, []rules.Code{rules.CodeNameRegulatedWord}},
		{"a company named 中华… that is not a state body", "T4, Q-NAME", func() filing.Application {
			return withWebsite(org(), func(w *filing.Website) { w.Name = "中华云计算门户" })
		}, []rules.Code{rules.CodeNameStatePrefix}},
		{"a .io domain", "T5", func() filing.Application {
			return withWebsite(org(), func(w *filing.Website) { w.Domain, w.HomepageURL = "yunqi.io", "https://www.yunqi.io/" })
		}, []rules.Code{rules.CodeDomainTLDNotApproved}},
		{"a .org domain in Beijing", "T5 (不能备案的域名 … .org)", func() filing.Application {
			return withWebsite(inProvince(org(), "BJ", "北京市"), func(w *filing.Website) {
				w.Domain, w.HomepageURL = "yunqi.org", "https://www.yunqi.org/"
			})
		}, []rules.Code{rules.CodeDomainTLDNotAllowedInProvince}},
		{"a .org domain in Zhejiang", "T4, S7", func() filing.Application {
			return withWebsite(org(), func(w *filing.Website) { w.Domain, w.HomepageURL = "yunqi.org", "https://www.yunqi.org/" })
		}, nil},
		{"a Hubei company led by its manager", "Q-HB, J-HB, A-HB", func() filing.Application {
			app := inProvince(org(), "HB", "武汉市")
			app.Subject.Leader.IsLegalRepresentative = false
			return app
		}, []rules.Code{rules.CodeLeaderNotLegalRep}},
		{"a Jiangsu company led by an authorised manager who runs the site", "Q-JS, A-JS", func() filing.Application {
			app := inProvince(org(), "JS", "南京市")
			app.Subject.Leader.IsLegalRepresentative = false
			return app
		}, nil},
		{"a 17-year-old in Guangdong", "H-GD-P 2025-05-27", func() filing.Application {
			return personalBornIn("GD", "", "20090101")
		}, []rules.Code{rules.CodeIDTooYoung}},
		{"a 17-year-old in Shandong", "H-KB (个人未满十七周岁不能备案)", func() filing.Application {
			return personalBornIn("SD", "", "20090101")
		}, nil},
		{"a 17-year-old in Zhejiang", "Q-ZJ, J-ZJ, H-S5", func() filing.Application {
			return personalBornIn("ZJ", "330106", "20090101")
		}, []rules.Code{rules.CodeIDTooYoung}},
		{"a Hangzhou resident filing in Qinghai", "Q-QH, J-QH, H-KB", func() filing.Application {
			return personalBornIn("QH", "330106", "19900307")
		}, []rules.Code{rules.CodeNonLocalID}},
		{"a Hangzhou resident filing in Hubei (with a residence permit)", "Q-HB, J-HB, H-KB2", func() filing.Application {
			return personalBornIn("HB", "330106", "19900307")
		}, nil},
		{"a Shanghai company's English-only site", "Q-SH", func() filing.Application {
			return withWebsite(inProvince(org(), "SH", "上海市"), func(w *filing.Website) { w.Languages = []filing.Language{filing.LangEnglish} })
		}, []rules.Code{rules.CodeLanguageSimplifiedChineseMissing}},
	}
	agree := 0
	for _, c := range cases {
		var have []rules.Code
		for _, v := range rules.Validate(c.app(), asOf, nil) {
			have = append(have, v.Code)
		}
		if slices.Equal(have, c.want) {
			agree++
			continue
		}
		t.Errorf("%s (%s): the dry run says %v, reviewers %v", c.name, c.source, have, c.want)
	}
	t.Logf("%d of %d reviewer-decided applications decided alike", agree, len(cases))
}
