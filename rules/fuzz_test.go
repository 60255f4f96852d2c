package rules_test

import (
	"strings"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", zhangWeiID, " 330106198503121231", "330106850312123", "１１０１０５", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := rules.ParseResidentID(s)
		if err != nil {
			return
		}
		out := id.String()
		again, err := rules.ParseResidentID(out)
		if err != nil || again != id || len(out) != 18 {
			t.Fatalf("%q parsed to %+v, formatted %q, re-parsed %+v, %v", s, id, out, again, err)
		}
		if lower, err := rules.ParseResidentID(strings.ToLower(out)); err != nil || lower != id {
			t.Fatalf("lower-case %q: %+v, %v", out, lower, err)
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "9144030071526726xg", companyUSCC, "9144030071526726X", "ＩＯ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := rules.ParseCreditCode(s)
		if err != nil {
			return
		}
		out := c.String()
		if again, err := rules.ParseCreditCode(out); err != nil || again != c || len(out) != 18 {
			t.Fatalf("%q parsed to %+v, formatted %q, re-parsed %+v, %v", s, c, out, again, err)
		}
	})
}

func FuzzOrganizationCode(f *testing.F) {
	for _, s := range []string{"71526726-X", "71526726x", "MA27UK8P-0", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := rules.ParseOrganizationCode(s)
		if err != nil {
			return
		}
		for _, form := range []string{c.String(), string(c)} {
			if again, err := rules.ParseOrganizationCode(form); err != nil || again != c {
				t.Fatalf("%q parsed to %q; %q re-parsed to %q, %v", s, c, form, again, err)
			}
		}
	})
}

func FuzzDomain(f *testing.F) {
	for _, s := range []string{"yunqi-tech.com", "云栖.中国", "XN--9KQZ53D.xn--fiqs8s.", "www.example.com.cn", "a.github.io", "com.cn", "a..b", "ＥＸＡＭＰＬＥ．ｃｏｍ", "xn--ls8h.la", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := rules.ParseDomain(s)
		if err != nil {
			return
		}
		for _, form := range []string{d.ASCII, d.Unicode} {
			if again, err := rules.ParseDomain(form); err != nil || again != d {
				t.Fatalf("%q parsed to %+v; %q re-parsed to %+v, %v", s, d, form, again, err)
			}
		}
		if !strings.HasSuffix(d.ASCII, d.Registrable) || !strings.HasSuffix(d.ASCII, "."+d.TLD) || d.ASCII != strings.ToLower(d.ASCII) {
			t.Fatalf("%q parsed to inconsistent %+v", s, d)
		}
		if r, err := rules.ParseDomain(d.Registrable); err != nil || !r.IsRegistrable() {
			t.Fatalf("registrable part %q of %q: %+v, %v", d.Registrable, s, r, err)
		}
	})
}

func FuzzMobile(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138-0013-8000", "0086 13800138000", "+85291234567", "+", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := rules.ParseMobile(s)
		if err != nil {
			return
		}
		for _, form := range []string{m.String(), m.E164()} {
			if again, err := rules.ParseMobile(form); err != nil || again != m || len(m) != 11 {
				t.Fatalf("%q parsed to %q; %q re-parsed to %q, %v", s, m, form, again, err)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"zhangwei@yunqi-tech.com", "A.B+c@云栖.中国", "x@localhost", "a..b@c.d", "@", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := rules.ParseEmail(s)
		if err != nil {
			return
		}
		if again, err := rules.ParseEmail(e); err != nil || again != e {
			t.Fatalf("%q normalised to %q, re-parsed to %q, %v", s, e, again, err)
		}
	})
}

func FuzzHouseNumber(f *testing.F) {
	for _, s := range []string{"文一西路969号", "长乐路1219弄3号", "科技园A座1201室", "五一路十八号", "龙坞茶村", "号", "\xff号", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		token, ok := rules.FindHouseNumber(s)
		if !ok {
			if token != "" {
				t.Fatalf("%q: no house number but token %q", s, token)
			}
			return
		}
		if !strings.Contains(s, token) {
			t.Fatalf("%q: token %q is not part of the input", s, token)
		}
		if again, ok := rules.FindHouseNumber(token); !ok || again != token {
			t.Fatalf("%q: token %q re-parsed to %q, %v", s, token, again, ok)
		}
	})
}

var certificateTypes = []filing.CertificateType{
	filing.CertResidentID, filing.CertHKMacauPermit, filing.CertTaiwanPermit, filing.CertHKMacauResidencePermit,
	filing.CertTaiwanResidencePermit, filing.CertPassport, filing.CertForeignPermanentResidentID,
	filing.CertBusinessLicense, filing.CertCreditCodeCertificate, filing.CertOrganizationCode,
	filing.CertPublicInstitution, filing.CertSocialOrganization, filing.CertPrivateNonEnterprise,
	filing.CertFoundation, filing.CertLawFirmLicense, filing.CertMedicalInstitutionLicense,
}

func FuzzCertificateNumber(f *testing.F) {
	f.Add(uint8(0), zhangWeiID)
	f.Add(uint8(1), "HA1234567")
	f.Add(uint8(2), "01234567")
	f.Add(uint8(5), "E12345678")
	f.Add(uint8(6), "USA310080101011")
	f.Add(uint8(9), "71526726-X")
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		typ := certificateTypes[int(i)%len(certificateTypes)]
		if err := rules.CheckCertificateNumber(typ, s); err != nil {
			return
		}
		// Accepted numbers stay accepted in canonical spelling.
		if err := rules.CheckCertificateNumber(typ, strings.ToUpper(strings.TrimSpace(s))); err != nil {
			t.Fatalf("%s %q accepted, upper-case form rejected: %v", typ, s, err)
		}
	})
}

func FuzzValidateWebsite(f *testing.F) {
	f.Add("云栖科技官网", "yunqi-tech.com", "https://www.yunqi-tech.com/")
	f.Add("中国博客!", "www.云栖.中国", "ftp://[::1]:80/")
	f.Add("", "", "%zz")
	f.Fuzz(func(t *testing.T, name, domain, homepage string) {
		app := validApplication()
		app.Websites[0].Name, app.Websites[0].Domain, app.Websites[0].HomepageURL = name, domain, homepage
		for _, v := range rules.Validate(app, asOf, nil) {
			if v.Code == "" || v.Field == "" || v.Message.ZH == "" || v.Message.EN == "" {
				t.Fatalf("incomplete violation %+v", v)
			}
		}
	})
}
