package rules

import (
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Validate checks an application against the rules in force for its
// subject's province on the date of asOf and returns every violation, in the
// order of the form: subject, websites, order-wide rules, product. Missing
// values yield CodeRequired and suppress the checks that need them, so a
// partial application gets exactly the complaints that apply so far.
//
// asOf is passed in rather than read from a clock because Validate runs
// inside deterministic workflow code. A nil rs means DefaultRuleSet().
func Validate(app filing.Application, asOf time.Time, rs *RuleSet) []Violation {
	if rs == nil {
		rs = DefaultRuleSet()
	}
	pr := rs.For(app.Subject.Province, asOf)
	v := validator{pr: &pr, app: &app, today: chinaDate(asOf)}
	v.checkSubject()
	domains := v.checkWebsites()
	v.checkOrder(domains)
	v.checkProduct()
	v.checkRemarks()
	return v.out
}

// checkRemarks applies what the remarks of a personal filing must say:
// reviewers read there what the site is about, and some bureaus want a
// signed-off statement that it is personal.
func (v *validator) checkRemarks() {
	if !v.app.Subject.Nature.Personal() {
		return
	}
	remarks := strings.TrimSpace(v.app.Remarks)
	if v.pr.personalRemarks && remarks == "" {
		v.add("remarks", CodeRemarksContentMissing)
	}
	if st := v.pr.personalStatement; st != "" && !strings.Contains(normalText(remarks), normalText(st)) {
		v.add("remarks", CodeRemarksStatementMissing, st)
	}
}

// validator carries one Validate call's state.
type validator struct {
	pr    *ProvinceRules
	app   *filing.Application
	today Date // asOf as a China calendar date
	out   []Violation
	// emergencyReported keeps one emergency-phone clash from being
	// reported once per website.
	emergencyReported bool
}

func (v *validator) add(field string, code Code, args ...any) {
	v.out = append(v.out, Violation{Code: code, Field: field, Message: message(code, args...)})
}

func (v *validator) addFormat(field string, err *FormatError) {
	v.add(field, err.Code, err.args...)
}

// join builds a field path. Callers pass prefix and name separately so that
// the string is only built for a violation; most checks pass.
func join(prefix, name string) string { return prefix + "." + name }

// required reports CodeRequired for a blank value and says whether the
// value is present.
func (v *validator) required(prefix, name, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.add(join(prefix, name), CodeRequired)
		return false
	}
	return true
}

// enum checks a required enum value and says whether it is usable.
func (v *validator) enum(prefix, name, value string, valid bool) bool {
	if !v.required(prefix, name, value) {
		return false
	}
	if !valid {
		v.add(join(prefix, name), CodeInvalidValue, value)
	}
	return valid
}

// province checks a required province code and says whether it is known.
func (v *validator) province(prefix, name, code string) bool {
	if !v.required(prefix, name, code) {
		return false
	}
	if _, ok := LookupProvince(code); !ok {
		v.add(join(prefix, name), CodeUnknownProvince, code)
		return false
	}
	return true
}

// sameProvince compares two known province codes in any accepted spelling.
func sameProvince(a, b string) bool {
	pa, _ := LookupProvince(a)
	pb, _ := LookupProvince(b)
	return pa.Code == pb.Code
}
