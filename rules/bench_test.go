package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/rules"
)

func BenchmarkValidateTwoWebsites(b *testing.B) {
	app := validApplication()
	rs := rules.DefaultRuleSet()
	if vs := rules.Validate(app, asOf, rs); len(vs) != 0 {
		b.Fatalf("sample application is not valid: %v", vs)
	}
	b.ReportAllocs()
	for b.Loop() {
		rules.Validate(app, asOf, rs)
	}
}
