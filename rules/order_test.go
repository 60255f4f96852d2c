package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// withWebsites gives the application n distinct, valid websites.
func withWebsites(app filing.Application, n int) filing.Application {
	app.Websites = nil
	for i := range n {
		d := fmt.Sprintf("yunqi-%d.com", i+1)
		app.Websites = append(app.Websites, filing.Website{
			Name: "云栖科技官网", Domain: d, HomepageURL: "https://" + d,
			ContentTypes:            []filing.ContentType{filing.ContentOrganizationPortal},
			Languages:               []filing.Language{filing.LangChineseSimplified},
			ResponsibleSameAsLeader: true,
		})
	}
	return app
}

func TestWebsitesPerOrder(t *testing.T) {
	tooManyWebsites := got{"websites", rules.CodeOrderTooManyWebsites}
	tooManyDomains := got{"websites", rules.CodeOrderTooManyDomains}
	tests := []struct {
		name     string
		province string
		city     string
		websites int
		want     []got
	}{
		{"Zhejiang takes ten websites", "ZJ", "杭州市", 10, nil},
		{"eleven websites exceed the provider limit", "ZJ", "杭州市", 11, []got{tooManyWebsites}},
		{"Hubei takes one website per order", "HB", "武汉市", 1, nil},
		{"Hubei rejects two websites", "HB", "武汉市", 2, []got{tooManyWebsites}},
		{"Hunan rejects two websites", "HN", "长沙市", 2, []got{tooManyWebsites}},
		{"Henan takes five domains", "HA", "郑州市", 5, nil},
		{"Henan rejects six domains", "HA", "郑州市", 6, []got{tooManyDomains}},
		{"Shanxi takes three domains", "SX", "太原市", 3, nil},
		{"Shanxi rejects four domains", "SX", "太原市", 4, []got{tooManyDomains}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := withWebsites(inProvince(validApplication(), tt.province, tt.city), tt.websites)
			expectViolations(t, app, tt.want...)
		})
	}
}

func TestHubeiOneWebsiteRuleStartedOn20March2019(t *testing.T) {
	app := withWebsites(inProvince(validApplication(), "HB", "武汉市"), 2)
	before := time.Date(2019, 3, 19, 12, 0, 0, 0, time.UTC)
	if vs := rules.Validate(app, before, nil); len(vs) != 0 {
		t.Errorf("before 2019-03-20: %v", reduce(vs))
	}
	after := time.Date(2019, 3, 20, 12, 0, 0, 0, time.UTC)
	if vs := rules.Validate(app, after, nil); len(vs) != 1 || vs[0].Code != rules.CodeOrderTooManyWebsites {
		t.Errorf("from 2019-03-20: %v", reduce(vs))
	}
}

func TestOrderWithoutWebsites(t *testing.T) {
	app := validApplication()
	app.Websites = nil
	expectViolations(t, app, got{"websites", rules.CodeRequired})
}
