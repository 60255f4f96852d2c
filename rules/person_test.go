package rules_test

import (
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// withResponsibleBornOn makes the second website's responsible person a
// Hangzhou resident born on the given YYYYMMDD date.
func withResponsibleBornOn(app filing.Application, birth string) filing.Application {
	app.Websites[0].ResponsibleSameAsLeader = false
	app.Websites[0].Responsible = filing.Person{
		Name: "王芳", IDType: filing.CertResidentID, IDNumber: residentID("330106", birth, "222"),
		Mobile: "13700137000", Email: "wangfang@yunqi-tech.com",
	}
	return app
}

func TestMinimumAgeOfResponsiblePersonDependsOnProvince(t *testing.T) {
	tooYoung := got{"websites[0].responsible.id_number", rules.CodeIDTooYoung}
	tests := []struct {
		name     string
		province string
		city     string
		birth    string
		want     []got
	}{
		{"15-year-old rejected by a Fujian company (18 for organisations)", "FJ", "福州市", "20110101", []got{tooYoung}},
		{"15-year-old rejected by the national default (16)", "AH", "合肥市", "20110101", []got{tooYoung}},
		{"17-year-old accepted by the national default", "AH", "合肥市", "20090101", nil},
		{"17-year-old rejected in Zhejiang (18)", "ZJ", "杭州市", "20090101", []got{tooYoung}},
		{"17-year-old rejected in Hubei (18)", "HB", "武汉市", "20090101", []got{tooYoung}},
		{"17-year-old rejected in Shandong (18)", "SD", "济南市", "20090101", []got{tooYoung}},
		{"18-year-old accepted in Hubei", "HB", "武汉市", "20080101", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := withResponsibleBornOn(inProvince(validApplication(), tt.province, tt.city), tt.birth)
			expectViolations(t, app, tt.want...)
		})
	}
}

func TestEighteenthBirthdayCountsFromMidnightChinaTime(t *testing.T) {
	app := withResponsibleBornOn(inProvince(validApplication(), "HB", "武汉市"), "20080803")
	// 16:00 UTC on 2 August is already 00:00 on 3 August in Wuhan.
	if vs := rules.Validate(app, time.Date(2026, 8, 2, 16, 0, 0, 0, time.UTC), nil); len(vs) != 0 {
		t.Errorf("on the birthday in China: %v", reduce(vs))
	}
	vs := rules.Validate(app, time.Date(2026, 8, 2, 15, 59, 0, 0, time.UTC), nil)
	if want := []got{{"websites[0].responsible.id_number", rules.CodeIDTooYoung}}; len(vs) != 1 || reduce(vs)[0] != want[0] {
		t.Errorf("a minute before the birthday in China: %v, want %v", reduce(vs), want)
	}
}

func TestBirthDateInTheFutureIsRejected(t *testing.T) {
	app := withResponsibleBornOn(validApplication(), "20270101")
	expectViolations(t, app, got{"websites[0].responsible.id_number", rules.CodeIDBirthDateFuture})
}

func TestBusinessLicenceIsNotAPersonalID(t *testing.T) {
	app := validApplication()
	app.Websites[1].Responsible.IDType = filing.CertBusinessLicense
	expectViolations(t, app, got{"websites[1].responsible.id_type", rules.CodePersonIDTypeNotAllowed})
}

func TestResponsiblePersonWithHKPermitIsAccepted(t *testing.T) {
	app := validApplication()
	app.Websites[1].Responsible.IDType = filing.CertHKMacauPermit
	app.Websites[1].Responsible.IDNumber = "H12345678"
	expectViolations(t, app)
}

func TestLeaderMustBeLegalRepresentativeWhereTheProvinceSaysSo(t *testing.T) {
	app := validApplication()
	app.Subject.Leader.IsLegalRepresentative = false
	expectViolations(t, app, got{"subject.leader.is_legal_representative", rules.CodeLeaderNotLegalRep})

	anhui := inProvince(app, "AH", "合肥市")
	expectViolations(t, anhui) // Anhui accepts an authorised person
}

func TestPersonalSubjectLeaderIsTheIndividual(t *testing.T) {
	app := personalApplication()
	expectViolations(t, app)
	app.Subject.Leader.IDNumber = liNaID
	expectViolations(t, app, got{"subject.leader.id_number", rules.CodePersonalLeaderMismatch})
}

func TestShanxiTakesPersonalFilingsOnlyWithLocalResidentID(t *testing.T) {
	app := personalApplication()
	app.Subject.Province = "SX"
	app.Subject.CertificateAddress.Province, app.Subject.CertificateAddress.City = "SX", "太原市"
	app.Subject.MailingAddress.Province, app.Subject.MailingAddress.City = "SX", "太原市"
	expectViolations(t, app, got{"subject.certificate_number", rules.CodeNonLocalID})

	local := residentID("140105", "19850312", "123")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = local, local
	expectViolations(t, app)
}

func TestTianjinWantsAWebsiteResponsiblePersonOtherThanTheLeader(t *testing.T) {
	app := inProvince(validApplication(), "TJ", "天津市")
	expectViolations(t, app, got{"websites[0].responsible_same_as_leader", rules.CodeResponsibleSameAsLeader})

	app = withResponsibleBornOn(app, "19900101")
	expectViolations(t, app)
}

func TestEnterpriseCannotFileWithAResidentID(t *testing.T) {
	app := validApplication()
	app.Subject.CertificateType = filing.CertResidentID
	app.Subject.CertificateNumber = zhangWeiID
	expectViolations(t, app, got{"subject.certificate_type", rules.CodeCertificateTypeNotAllowed})
}
