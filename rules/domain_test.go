package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestParseDomain(t *testing.T) {
	tests := []struct {
		input        string
		ascii        string
		unicode      string
		registrable  string
		isRegistered bool
		code         rules.Code
	}{
		{"yunqi-tech.com", "yunqi-tech.com", "yunqi-tech.com", "yunqi-tech.com", true, ""},
		{"YUNQI-TECH.COM.", "yunqi-tech.com", "yunqi-tech.com", "yunqi-tech.com", true, ""},
		{"云栖.中国", "xn--9kqz53d.xn--fiqs8s", "云栖.中国", "xn--9kqz53d.xn--fiqs8s", true, ""},
		{"XN--9KQZ53D.xn--fiqs8s", "xn--9kqz53d.xn--fiqs8s", "云栖.中国", "xn--9kqz53d.xn--fiqs8s", true, ""},
		{"ＹＵＮＱＩ．ｃｏｍ", "yunqi.com", "yunqi.com", "yunqi.com", true, ""},
		{"example.com.cn", "example.com.cn", "example.com.cn", "example.com.cn", true, ""},
		{"www.example.com", "www.example.com", "www.example.com", "example.com", false, ""},
		{"blog.example.gov.cn", "blog.example.gov.cn", "blog.example.gov.cn", "example.gov.cn", false, ""},
		{"yunqi.github.io", "yunqi.github.io", "yunqi.github.io", "github.io", false, ""},
		{"com.cn", "", "", "", false, rules.CodeDomainPublicSuffix},
		{"http://example.com", "", "", "", false, rules.CodeDomainSyntax},
		{"example.com/index.html", "", "", "", false, rules.CodeDomainSyntax},
		{"example.com, example.net", "", "", "", false, rules.CodeDomainMultiple},
		{"example.com、example.cn", "", "", "", false, rules.CodeDomainMultiple},
		{"-example.com", "", "", "", false, rules.CodeDomainSyntax},
		{"exa_mple.com", "", "", "", false, rules.CodeDomainSyntax},
		{"localhost", "", "", "", false, rules.CodeDomainSyntax},
		{"192.168.1.1", "", "", "", false, rules.CodeDomainSyntax},
		{"example..com", "", "", "", false, rules.CodeDomainSyntax},
		{strings.Repeat("a", 64) + ".com", "", "", "", false, rules.CodeDomainSyntax},
		{"", "", "", "", false, rules.CodeDomainSyntax},
	}
	for _, tt := range tests {
		d, err := rules.ParseDomain(tt.input)
		if got := codeOf(t, err); got != tt.code {
			t.Errorf("ParseDomain(%q) code = %q, want %q", tt.input, got, tt.code)
			continue
		}
		if d.ASCII != tt.ascii || d.Unicode != tt.unicode || d.Registrable != tt.registrable || d.IsRegistrable() != tt.isRegistered {
			t.Errorf("ParseDomain(%q) = %+v (registrable %v)", tt.input, d, d.IsRegistrable())
		}
	}
}

func TestSubdomainIsNotFileableAndTheMessageNamesTheRegistrableDomain(t *testing.T) {
	app := validApplication()
	app.Websites[0].Domain = "www.yunqi-tech.com"
	vs := rules.Validate(app, asOf, nil)
	if len(vs) != 1 || vs[0].Code != rules.CodeDomainNotRegistrable || vs[0].Field != "websites[0].domain" {
		t.Fatalf("violations = %v", reduce(vs))
	}
	if !strings.Contains(vs[0].Message.ZH, "yunqi-tech.com") || !strings.Contains(vs[0].Message.EN, "file the registrable domain yunqi-tech.com") {
		t.Errorf("message = %+v", vs[0].Message)
	}
}

func TestTopLevelDomainMustBeApprovedByMIIT(t *testing.T) {
	for _, tld := range []string{"io", "me", "jp", "hk", "tw", "win"} {
		app := validApplication()
		app.Websites[0].Domain = "yunqi." + tld
		app.Websites[0].HomepageURL = "https://yunqi." + tld
		expectViolations(t, app, got{"websites[0].domain", rules.CodeDomainTLDNotApproved})
	}
	for _, tld := range []string{"com", "net", "cn", "中国", "top", "xyz", "vip", "shop", "tech", "org", "info", "biz", "cc", "club", "site", "online", "ltd", "wang", "ren", "ink", "link", "pub", "group", "公司", "网络"} {
		app := validApplication()
		app.Websites[0].Domain = "yunqi." + tld
		app.Websites[0].HomepageURL = "https://yunqi." + tld
		expectViolations(t, app)
	}
}

func TestBeijingWhitelistSince2019ExcludesOrg(t *testing.T) {
	app := inProvince(validApplication(), "BJ", "北京市")
	app.Websites[0].Domain, app.Websites[0].HomepageURL = "yunqi.org", "https://yunqi.org"
	expectViolations(t, app, got{"websites[0].domain", rules.CodeDomainTLDNotAllowedInProvince})

	before := time.Date(2018, 12, 31, 12, 0, 0, 0, time.UTC)
	if vs := rules.Validate(app, before, nil); len(vs) != 0 {
		t.Errorf("in 2018 the whitelist was not in force: %v", reduce(vs))
	}

	app.Websites[0].Domain, app.Websites[0].HomepageURL = "yunqi.tech", "https://yunqi.tech"
	expectViolations(t, app)
}

func TestPublicInstitutionsUseCnOrGongyiDomains(t *testing.T) {
	app := validApplication()
	app.Subject.Nature = filing.NaturePublicInstitution
	app.Subject.CertificateType = filing.CertPublicInstitution
	app.Subject.CertificateNumber = creditCode("12", "330106", orgCode("47000012"))
	app.Websites[1].Domain, app.Websites[1].HomepageURL = "云栖.公益", "http://云栖.公益"
	expectViolations(t, app, got{"websites[0].domain", rules.CodeDomainTLDNotAllowedForNature})
}

func TestSameDomainTwiceInOneOrder(t *testing.T) {
	app := validApplication()
	app.Websites[1].Domain = "YUNQI-TECH.com"
	app.Websites[1].HomepageURL = "https://docs.yunqi-tech.com"
	expectViolations(t, app, got{"websites[1].domain", rules.CodeDomainDuplicate})
}

func TestHomepageMustBeAnHTTPURLOnTheDomain(t *testing.T) {
	tests := []struct {
		url  string
		want []got
	}{
		{"https://www.yunqi-tech.com/", nil},
		{"yunqi-tech.com", nil},
		{"HTTPS://WWW.YUNQI-TECH.COM:8443/index.html", nil},
		{"http://yunqi-tech.com/a?b=c#d", nil},
		{"ftp://yunqi-tech.com", []got{{"websites[0].homepage_url", rules.CodeHomepageInvalid}}},
		{"https://admin@yunqi-tech.com", []got{{"websites[0].homepage_url", rules.CodeHomepageInvalid}}},
		{"https://", []got{{"websites[0].homepage_url", rules.CodeHomepageInvalid}}},
		{"https://yunqi-tech.com.example.cn", []got{{"websites[0].homepage_url", rules.CodeHomepageHostMismatch}}},
		{"https://example.com/yunqi-tech.com", []got{{"websites[0].homepage_url", rules.CodeHomepageHostMismatch}}},
		{"https://notyunqi-tech.com", []got{{"websites[0].homepage_url", rules.CodeHomepageHostMismatch}}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			app := validApplication()
			app.Websites[0].HomepageURL = tt.url
			expectViolations(t, app, tt.want...)
		})
	}
}

func TestIDNHomepageMayBeGivenInPunycode(t *testing.T) {
	app := validApplication()
	app.Websites[1].HomepageURL = "http://xn--9kqz53d.xn--fiqs8s/"
	expectViolations(t, app)
}
