package filing_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/beianflow/beianflow/filing"
)

func TestEnumsKnowTheirMembersAndChineseTerms(t *testing.T) {
	tests := []struct {
		value string
		valid bool
		label string
	}{
		{string(filing.NaturePersonal), filing.NaturePersonal.Valid(), filing.NaturePersonal.Label()},
		{string(filing.NaturePrivateNonEnterprise), filing.NaturePrivateNonEnterprise.Valid(), filing.NaturePrivateNonEnterprise.Label()},
		{string(filing.CertBusinessLicense), filing.CertBusinessLicense.Valid(), filing.CertBusinessLicense.Label()},
		{string(filing.CertTaiwanResidencePermit), filing.CertTaiwanResidencePermit.Valid(), filing.CertTaiwanResidencePermit.Label()},
		{string(filing.TypeNewWebsiteElsewhere), filing.TypeNewWebsiteElsewhere.Valid(), filing.TypeNewWebsiteElsewhere.Label()},
		{string(filing.ContentRadioFilmTV), filing.ContentRadioFilmTV.Valid(), filing.ContentRadioFilmTV.Label()},
		{string(filing.LangUyghur), filing.LangUyghur.Valid(), filing.LangUyghur.Label()},
	}
	want := []string{"个人", "民办非企业单位", "营业执照（统一社会信用代码）", "台湾居民居住证", "新增网站（原备案不在本云）", "广播电影电视节目", "维吾尔语"}
	for i, tt := range tests {
		if !tt.valid || tt.label != want[i] {
			t.Errorf("%s: Valid() = %v, Label() = %q, want %q", tt.value, tt.valid, tt.label, want[i])
		}
	}
	for _, bad := range []bool{
		filing.SubjectNature("").Valid(), filing.SubjectNature("Personal").Valid(),
		filing.CertificateType("id_card").Valid(), filing.Type("change").Valid(),
		filing.ContentType("gambling").Valid(), filing.Language("zh").Valid(),
	} {
		if bad {
			t.Error("an undeclared value is Valid()")
		}
	}
	if filing.SubjectNature("x").Label() != "" {
		t.Error("an undeclared value has a label")
	}
}

func TestPersonalDocumentsAndNatures(t *testing.T) {
	for _, c := range []filing.CertificateType{filing.CertResidentID, filing.CertHKMacauPermit, filing.CertPassport, filing.CertForeignPermanentResidentID} {
		if !c.Personal() {
			t.Errorf("%s should identify a person", c)
		}
	}
	for _, c := range []filing.CertificateType{filing.CertBusinessLicense, filing.CertOrganizationCode, filing.CertLawFirmLicense, ""} {
		if c.Personal() {
			t.Errorf("%q should not identify a person", c)
		}
	}
	if !filing.NaturePersonal.Personal() || filing.NatureFoundation.Personal() {
		t.Error("Personal() of natures is wrong")
	}
}

func TestApplicationJSONUsesSnakeCaseAndRoundTrips(t *testing.T) {
	app := filing.Application{
		Subject: filing.Subject{
			Province: "ZJ", Nature: filing.NatureEnterprise, CertificateType: filing.CertBusinessLicense,
			CertificateNumber: "91350100M000100Y43", Name: "某某科技有限公司",
			CertificateAddress: filing.Address{Province: "ZJ", City: "杭州市", Detail: "文三路90号"},
			MailingAddress:     filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: "文三路90号"},
			Leader:             filing.Person{Name: "张伟", IDType: filing.CertResidentID, IDNumber: "11010519491231002X", Mobile: "13800138000", Email: "a@b.cn", IsLegalRepresentative: true},
			EmergencyPhone:     "13900139000",
		},
		Websites: []filing.Website{{
			Name: "某某官网", Domain: "example.com", HomepageURL: "https://example.com",
			ContentTypes: []filing.ContentType{filing.ContentNews}, Languages: []filing.Language{filing.LangEnglish},
			PreApprovals:            []filing.PreApproval{{Type: filing.ContentNews, DocumentNumber: "1"}},
			ResponsibleSameAsLeader: true,
		}},
		Product: filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-1", Region: "cn-hangzhou"}},
		Remarks: "此地址已是最详细地址",
	}
	b, err := json.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"certificate_number"`, `"certificate_address"`, `"mailing_address"`, `"is_legal_representative"`,
		`"emergency_phone"`, `"homepage_url"`, `"content_types"`, `"pre_approvals"`, `"document_number"`,
		`"responsible_same_as_leader"`, `"cloud_instance"`, `"instance_id"`, `"id_type"`, `"id_number"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	if strings.Contains(string(b), `"service_number"`) || strings.Contains(string(b), `"office_phone"`) {
		t.Errorf("empty optional fields are not omitted: %s", b)
	}
	var back filing.Application
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, app) {
		t.Errorf("round trip changed the application:\n%+v\n%+v", back, app)
	}
}

func TestPartialApplicationDecodesWithZeroValues(t *testing.T) {
	var app filing.Application
	if err := json.Unmarshal([]byte(`{"subject":{"province":"HB"},"websites":[{"domain":"example.cn"}]}`), &app); err != nil {
		t.Fatal(err)
	}
	if app.Subject.Province != "HB" || app.Subject.Nature != "" || len(app.Websites) != 1 ||
		app.Websites[0].Domain != "example.cn" || app.Product.CloudInstance != nil || app.Product.ServiceNumber != "" {
		t.Errorf("decoded %+v", app)
	}
}

func TestFilingIDsAreParsedInTheirCanonicalFormOnly(t *testing.T) {
	const fid = "01a227a5-be39-7787-9814-9c07e6468f61"
	id, err := filing.ParseID(strings.ToUpper(fid))
	if err != nil || id != fid {
		t.Fatalf("ParseID(upper case) = %q, %v; want %q", id, err, fid)
	}
	for _, bad := range []string{"", "filing-" + fid, "\xff", fid + "0", "01a227a5be3977879814-9c07e6468f61-", "0" + fid[1:8] + "x" + fid[9:],
		"urn:uuid:" + fid, "{" + fid + "}", "01a227a5-be39-7787-9814-9c07e6468fgg"} {
		if _, err := filing.ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
	if got := filing.ID(fid).WorkflowID(); got != "filing-"+fid {
		t.Errorf("WorkflowID = %q", got)
	}
	if back, ok := filing.IDFromWorkflowID("filing-" + fid); !ok || back != fid {
		t.Errorf("IDFromWorkflowID = %q, %v", back, ok)
	}
	for _, other := range []string{fid, "filing-not-a-uuid", "other-" + fid, "filing-" + strings.ToUpper(fid)} {
		if _, ok := filing.IDFromWorkflowID(other); ok {
			t.Errorf("IDFromWorkflowID(%q) accepted", other)
		}
	}
}
