package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/rules"
)

func TestEveryProvinceHasItsOwnDivisionCode(t *testing.T) {
	seen := map[string]string{}
	ps := rules.Provinces()
	if len(ps) != 31 {
		t.Fatalf("%d provinces", len(ps))
	}
	for _, p := range ps {
		d := p.DivisionCode()
		if len(d) != 2 || d[0] < '1' || d[0] > '6' {
			t.Errorf("%s: DivisionCode() = %q", p.Code, d)
		}
		if other, dup := seen[d]; dup {
			t.Errorf("%s and %s share division code %s", p.Code, other, d)
		}
		seen[d] = p.Code
	}
	if zj, _ := rules.LookupProvince("cn-zj"); zj.DivisionCode() != "33" {
		t.Errorf("Zhejiang: %q", zj.DivisionCode())
	}
	if (rules.Province{}).DivisionCode() != "" {
		t.Error("the zero Province has a division code")
	}
}
