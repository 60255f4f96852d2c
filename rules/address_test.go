package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/rules"
)

func TestFindHouseNumber(t *testing.T) {
	tests := []struct {
		detail string
		want   string
	}{
		{"文一西路969号", "969号"},
		{"文三路90号东部软件园1号楼", "90号"},
		{"建国门外大街甲12号", "12号"},
		{"长乐路1219弄3号", "1219弄"},
		{"科技园A座1201室", "A座"},
		{"望京SOHO T3 B座", "B座"},
		{"幸福小区3栋2单元501", "3栋"},
		{"五一路十八号", "十八号"},
		{"南京东路１００号", "１００号"},
		{"人民路123號", "123號"},
		{"西湖区转塘街道龙坞茶村", ""},
		{"高新技术开发区", ""},
		{"五一路", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := rules.FindHouseNumber(tt.detail)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("FindHouseNumber(%q) = %q, %v; want %q", tt.detail, got, ok, tt.want)
		}
	}
}

func TestAddressWithoutHouseNumberNeedsTheRemark(t *testing.T) {
	app := validApplication()
	app.Subject.MailingAddress.Detail = "转塘街道龙坞茶村"
	expectViolations(t, app, got{"subject.mailing_address.detail", rules.CodeAddressNoHouseNumber})

	app.Remarks = "通讯地址：此地址已是最详细地址。"
	expectViolations(t, app)
}

func TestAddressesMustBeInTheSameProvince(t *testing.T) {
	app := validApplication()
	app.Subject.MailingAddress.Province, app.Subject.MailingAddress.City = "SH", "上海市"
	expectViolations(t, app, got{"subject.mailing_address.province", rules.CodeAddressProvinceMismatch})
}

func TestHebeiHenanAndGuizhouWantTheSameCity(t *testing.T) {
	for _, p := range []struct{ code, city, otherCity string }{
		{"HE", "石家庄市", "保定市"}, {"HA", "郑州市", "洛阳市"}, {"GZ", "贵阳市", "遵义市"},
	} {
		app := inProvince(validApplication(), p.code, p.city)
		app.Subject.MailingAddress.City = p.otherCity
		expectViolations(t, app, got{"subject.mailing_address.city", rules.CodeAddressCityMismatch})
	}
	zhejiang := validApplication()
	zhejiang.Subject.MailingAddress.City = "宁波市"
	expectViolations(t, zhejiang)
}

func TestCityNamesCompareWithOrWithoutShi(t *testing.T) {
	app := inProvince(validApplication(), "HE", "石家庄市")
	app.Subject.MailingAddress.City = "石家庄"
	expectViolations(t, app)
}

func TestOrganisationFilesInTheProvinceOfItsDomicile(t *testing.T) {
	app := validApplication()
	app.Subject.Province = "SH"
	expectViolations(t, app, got{"subject.province", rules.CodeCrossProvince})
}

func TestUnknownProvinceCode(t *testing.T) {
	app := validApplication()
	app.Subject.MailingAddress.Province = "HK"
	expectViolations(t, app, got{"subject.mailing_address.province", rules.CodeUnknownProvince})
}
