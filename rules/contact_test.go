package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/rules"
)

func TestMobileNumbers(t *testing.T) {
	tests := []struct {
		input string
		want  rules.Mobile
		code  rules.Code
	}{
		{"13800138000", "13800138000", ""},
		{"+8613800138000", "13800138000", ""},
		{"+86 138 0013 8000", "13800138000", ""},
		{"0086-138-0013-8000", "13800138000", ""},
		{" 19912345678 ", "19912345678", ""},
		{"16612345678", "16612345678", ""},
		{"12812345678", "", rules.CodeMobileFormat},   // no 12x segment
		{"1380013800", "", rules.CodeMobileFormat},    // 10 digits
		{"138001380001", "", rules.CodeMobileFormat},  // 12 digits
		{"8613800138000", "", rules.CodeMobileFormat}, // country code without + or 00
		{"+85291234567", "", rules.CodeMobileFormat},  // Hong Kong
		{"0571-88158388", "", rules.CodeMobileFormat}, // landline
		{"138OO138000", "", rules.CodeMobileFormat},   // letters O
		{"１３８００１３８０００", "", rules.CodeMobileFormat},   // full width
		{"", "", rules.CodeMobileFormat},
	}
	for _, tt := range tests {
		m, err := rules.ParseMobile(tt.input)
		if got := codeOf(t, err); got != tt.code || m != tt.want {
			t.Errorf("ParseMobile(%q) = %q, %q; want %q, %q", tt.input, m, got, tt.want, tt.code)
		}
		if err == nil && m.E164() != "+86"+string(tt.want) {
			t.Errorf("E164() = %q", m.E164())
		}
	}
}

func TestEmailAddresses(t *testing.T) {
	tests := []struct {
		input string
		want  string
		code  rules.Code
	}{
		{"zhangwei@yunqi-tech.com", "zhangwei@yunqi-tech.com", ""},
		{"Zhang.Wei+beian@Example.COM.CN", "Zhang.Wei+beian@example.com.cn", ""},
		{"admin@云栖.中国", "admin@xn--9kqz53d.xn--fiqs8s", ""},
		{"12345678@qq.com", "12345678@qq.com", ""},
		{"zhangwei@localhost", "", rules.CodeEmailFormat},
		{"zhangwei.example.com", "", rules.CodeEmailFormat},
		{"zhang..wei@example.com", "", rules.CodeEmailFormat},
		{".zhangwei@example.com", "", rules.CodeEmailFormat},
		{"zhang wei@example.com", "", rules.CodeEmailFormat},
		{"zhangwei@example..com", "", rules.CodeEmailFormat},
		{"zhangwei@192.168.1.1", "", rules.CodeEmailFormat},
		{"张伟@example.com", "", rules.CodeEmailFormat},
		{"@example.com", "", rules.CodeEmailFormat},
	}
	for _, tt := range tests {
		e, err := rules.ParseEmail(tt.input)
		if got := codeOf(t, err); got != tt.code || e != tt.want {
			t.Errorf("ParseEmail(%q) = %q, %q; want %q, %q", tt.input, e, got, tt.want, tt.code)
		}
	}
}

func TestEmergencyPhoneMustDifferFromWebsiteResponsibleMobile(t *testing.T) {
	app := validApplication()
	app.Subject.EmergencyPhone = "+86 138-0013-8000" // the leader's, who runs website 0
	expectViolations(t, app, got{"subject.emergency_phone", rules.CodeEmergencySameAsResponsible})

	app = validApplication()
	app.Subject.EmergencyPhone = "13700137000" // the responsible person of website 1
	expectViolations(t, app, got{"subject.emergency_phone", rules.CodeEmergencySameAsResponsible})
}

func TestDifferentPeopleMustNotShareMobileOrEmail(t *testing.T) {
	app := validApplication()
	app.Websites[1].Responsible.Mobile = "0086 13800138000"
	app.Websites[1].Responsible.Email = "ZhangWei@Yunqi-Tech.com"
	expectViolations(t, app,
		got{"websites[1].responsible.mobile", rules.CodeSharedMobile},
		got{"websites[1].responsible.email", rules.CodeSharedEmail},
	)
}

func TestLeaderEnteredAgainAsResponsibleMayReuseContacts(t *testing.T) {
	app := validApplication()
	app.Websites[1].Responsible = app.Subject.Leader
	expectViolations(t, app)
}

func TestMalformedContactsAreReportedOnce(t *testing.T) {
	app := validApplication()
	app.Subject.Leader.Mobile = "1380013800"
	app.Subject.Leader.Email = "zhangwei@"
	app.Subject.EmergencyPhone = "110"
	expectViolations(t, app,
		got{"subject.leader.mobile", rules.CodeMobileFormat},
		got{"subject.leader.email", rules.CodeEmailFormat},
		got{"subject.emergency_phone", rules.CodeMobileFormat},
	)
}
