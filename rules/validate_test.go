package rules_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestCompleteApplicationWithTwoWebsitesHasNoViolations(t *testing.T) {
	expectViolations(t, validApplication())
}

func TestCompletePersonalApplicationHasNoViolations(t *testing.T) {
	expectViolations(t, personalApplication())
}

func TestPartialApplicationGetsExactlyTheComplaintsThatApplySoFar(t *testing.T) {
	// The user has picked province, nature and certificate, is halfway
	// through typing the credit code and has entered one domain.
	app := filing.Application{
		Subject: filing.Subject{
			Province:          "ZJ",
			Nature:            filing.NatureEnterprise,
			CertificateType:   filing.CertBusinessLicense,
			CertificateNumber: companyUSCC[:10],
		},
		Websites: []filing.Website{{Domain: "yunqi-tech.io"}},
	}
	expectViolations(t, app,
		got{"subject.certificate_number", rules.CodeCreditCodeLength},
		got{"subject.name", rules.CodeRequired},
		got{"subject.certificate_address.province", rules.CodeRequired},
		got{"subject.certificate_address.city", rules.CodeRequired},
		got{"subject.certificate_address.detail", rules.CodeRequired},
		got{"subject.mailing_address.province", rules.CodeRequired},
		got{"subject.mailing_address.city", rules.CodeRequired},
		got{"subject.mailing_address.detail", rules.CodeRequired},
		got{"subject.leader.name", rules.CodeRequired},
		got{"subject.leader.id_type", rules.CodeRequired},
		got{"subject.leader.id_number", rules.CodeRequired},
		got{"subject.leader.mobile", rules.CodeRequired},
		got{"subject.leader.email", rules.CodeRequired},
		got{"subject.emergency_phone", rules.CodeRequired},
		got{"websites[0].domain", rules.CodeDomainTLDNotApproved},
		got{"websites[0].name", rules.CodeRequired},
		got{"websites[0].homepage_url", rules.CodeRequired},
		got{"websites[0].content_types", rules.CodeRequired},
		got{"websites[0].languages", rules.CodeRequired},
		got{"websites[0].responsible.name", rules.CodeRequired},
		got{"websites[0].responsible.id_type", rules.CodeRequired},
		got{"websites[0].responsible.id_number", rules.CodeRequired},
		got{"websites[0].responsible.mobile", rules.CodeRequired},
		got{"websites[0].responsible.email", rules.CodeRequired},
		got{"product", rules.CodeProductMissing},
	)
}

func TestEmptyApplicationOnlyAsksForInput(t *testing.T) {
	for _, v := range rules.Validate(filing.Application{}, asOf, nil) {
		if v.Code != rules.CodeRequired && v.Code != rules.CodeProductMissing {
			t.Errorf("unexpected %s on %s for an empty application", v.Code, v.Field)
		}
	}
}

func TestAllViolationsAreReportedAtOnceInFormOrder(t *testing.T) {
	app := validApplication()
	app.Subject.Leader.Mobile = "12345"
	app.Websites[0].Domain = "yunqi.io"
	app.Websites[1].Name = "云栖"
	app.Product = filing.ProductVerification{}
	want := []got{
		{"subject.leader.mobile", rules.CodeMobileFormat},
		{"websites[0].domain", rules.CodeDomainTLDNotApproved},
		{"websites[0].homepage_url", rules.CodeHomepageHostMismatch},
		{"websites[1].name", rules.CodeNameTooShort},
		{"product", rules.CodeProductMissing},
	}
	for range 3 {
		expectViolations(t, app, want...)
	}
}

func TestValidateDoesNotModifyTheApplication(t *testing.T) {
	app := validApplication()
	app.Websites[0].Domain = "WWW.YUNQI-TECH.COM"
	before := validApplication()
	before.Websites[0].Domain = "WWW.YUNQI-TECH.COM"
	rules.Validate(app, asOf, nil)
	if !reflect.DeepEqual(app, before) {
		t.Error("Validate changed its input")
	}
}

func TestViolationJSONIsTheAPIShape(t *testing.T) {
	app := validApplication()
	app.Websites[1].Domain = "docs.云栖.中国"
	vs := rules.Validate(app, asOf, nil)
	b, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"code":"domain.not_registrable","field":"websites[1].domain","message":{"zh":"子域名无需也不能单独备案，请备案主域名 云栖.中国。","en":"Subdomains are not filed separately; file the registrable domain 云栖.中国."}}]`
	if string(b) != want {
		t.Errorf("JSON\n have %s\n want %s", b, want)
	}
}

func TestCodesCanBeExplainedToAPIClients(t *testing.T) {
	m, ok := rules.Explain(rules.CodeDomainTLDNotApproved)
	if !ok || m.ZH != "域名后缀“.%s”未获工信部批准，不能备案。" || m.EN == "" {
		t.Errorf("Explain = %+v, %v", m, ok)
	}
	if _, ok := rules.Explain("no.such_code"); ok {
		t.Error("an unknown code is explained")
	}
	if codes := rules.Codes(); len(codes) < 60 || codes[0] != rules.CodeRequired {
		t.Errorf("Codes() = %v", codes)
	}
}

func TestParserErrorsCarryTheViolationMessage(t *testing.T) {
	_, err := rules.ParseDomain("com.cn")
	var fe *rules.FormatError
	ok := errors.As(err, &fe)
	if !ok {
		t.Fatalf("err = %T", err)
	}
	if m := fe.Message(); m.ZH != "“com.cn”是公共后缀，不是可备案的域名。" {
		t.Errorf("Message() = %+v", m)
	}
	if want := "domain.is_public_suffix: “com.cn” is a public suffix, not a fileable domain."; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestFutureBirthDateOfAPersonalSubject(t *testing.T) {
	app := personalApplication()
	future := residentID("330106", "20300101", "123")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = future, future
	expectViolations(t, app,
		got{"subject.certificate_number", rules.CodeIDBirthDateFuture},
		got{"subject.leader.id_number", rules.CodeIDBirthDateFuture},
	)
}
