package rules_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func chinaMidnight(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

func TestDefaultRuleSetIsVersionedByDeclarationAndContent(t *testing.T) {
	v := rules.DefaultRuleSet().Version()
	if !regexp.MustCompile(`^2026\.12\.1\+sha256:[0-9a-f]{12}$`).MatchString(v) {
		t.Errorf("Version() = %q", v)
	}
	if rules.DefaultRuleSet().Version() != v {
		t.Error("Version() is not stable")
	}
	data := embeddedData(t)
	edited := strings.Replace(string(data), "ICP filing rules for beianflow", "ICP filing rules for beianflow (edited)", 1)
	rs := load(t, []byte(edited))
	if rs.Version() == v || !strings.HasPrefix(rs.Version(), "2026.12.1+") {
		t.Errorf("edited file has version %q, default %q", rs.Version(), v)
	}
}

func TestSMSVerificationRolloutByProvinceAndDate(t *testing.T) {
	rs := rules.DefaultRuleSet()
	tests := []struct {
		province string
		day      time.Time
		want     bool
	}{
		{"TJ", chinaMidnight(2017, 12, 17), false},
		{"TJ", chinaMidnight(2017, 12, 18), true},
		{"QH", chinaMidnight(2017, 12, 18), true},
		{"ZJ", chinaMidnight(2018, 9, 9), false},
		{"ZJ", chinaMidnight(2018, 9, 10), true},
		{"HB", chinaMidnight(2018, 9, 23), false},
		{"HB", chinaMidnight(2018, 9, 24), true},
		{"BJ", chinaMidnight(2020, 8, 16), false},
		{"BJ", chinaMidnight(2020, 8, 17), true},
		{"GD", chinaMidnight(2019, 6, 1), false},
		{"GD", asOf, true},
		{"TJ", asOf, true},
	}
	for _, tt := range tests {
		pr := rs.For(tt.province, tt.day)
		if got := pr.SMSVerificationRequired(); got != tt.want {
			t.Errorf("%s on %s: SMSVerificationRequired() = %v, want %v", tt.province, tt.day.Format(time.DateOnly), got, tt.want)
		}
	}
	// One minute before midnight in Beijing is already 17 August in China.
	if pr := rs.For("BJ", time.Date(2020, 8, 16, 16, 0, 0, 0, time.UTC)); !pr.SMSVerificationRequired() {
		t.Error("the rollout date is a China calendar date")
	}
}

func TestProvinceCapabilities(t *testing.T) {
	rs := rules.DefaultRuleSet()
	tests := []struct {
		province     string
		photo        rules.PhotoMode
		appUpload    bool
		reviewDays   int
		validityDays int
		certificate  bool
	}{
		{"SH", rules.PhotoShanghaiBureauApp, false, 20, 180, true},
		{"ZJ", rules.PhotoBackdrop, false, 30, 90, false},
		{"GD", rules.PhotoBackdrop, true, 20, 90, true},
		{"CQ", rules.PhotoBackdrop, true, 20, 90, false},
		{"LN", rules.PhotoBackdrop, true, 20, 90, false},
		{"AH", rules.PhotoBackdrop, true, 20, 90, false},
		{"FJ", rules.PhotoBackdrop, true, 20, 90, false},
		{"SD", rules.PhotoBackdrop, false, 20, 45, false},
		{"JS", rules.PhotoBackdrop, false, 20, 90, true},
		{"cn-bj", rules.PhotoBackdrop, false, 20, 90, false},
	}
	for _, tt := range tests {
		pr := rs.For(tt.province, asOf)
		if pr.PhotoVerificationMode() != tt.photo || pr.MobileAppUploadAllowed() != tt.appUpload ||
			pr.BureauReviewMaxBusinessDays() != tt.reviewDays || pr.DomainMinValidityDays() != tt.validityDays ||
			pr.DomainCertificateRequired() != tt.certificate {
			t.Errorf("%s: photo %q, app upload %v, review %d BD, domain validity %d d, domain certificate %v",
				tt.province, pr.PhotoVerificationMode(), pr.MobileAppUploadAllowed(), pr.BureauReviewMaxBusinessDays(),
				pr.DomainMinValidityDays(), pr.DomainCertificateRequired())
		}
	}
	if p := rs.For("cn-bj", asOf).Province(); p.Code != "BJ" || p.Name != "北京" {
		t.Errorf("Province() = %+v", p)
	}
	unknown := rs.For("HK", asOf)
	if unknown.Province().Code != "" || unknown.BureauReviewMaxBusinessDays() != 20 {
		t.Errorf("an unknown province gets the national rules, got %+v", unknown.Province())
	}
}

// embeddedData reads the data file the binary embeds.
func embeddedData(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("data/" + rules.RuleSetFile)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func load(t *testing.T, data []byte) *rules.RuleSet {
	t.Helper()
	rs, err := rules.LoadRuleSet(fstest.MapFS{rules.RuleSetFile: {Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// withEntries appends rule entries to the embedded data.
func withEntries(t *testing.T, entries ...string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(embeddedData(t), &doc); err != nil {
		t.Fatal(err)
	}
	list := doc["rules"].([]any)
	for _, e := range entries {
		var v any
		if err := json.Unmarshal([]byte(e), &v); err != nil {
			t.Fatal(err)
		}
		list = append(list, v)
	}
	doc["rules"] = list
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAddingProvinceRulesIsADataChange(t *testing.T) {
	rs := load(t, withEntries(t,
		`{"kind":"domain_certificate_required","province":"ZJ","value":true,"effective_from":"2026-01-01","source":"[I] test"}`,
		`{"kind":"website_name_personal_words","province":"ZJ","value":["笔记"],"effective_from":"2026-01-01","source":"[I] test"}`,
		`{"kind":"address_same_city","province":"ZJ","value":true,"effective_from":"2026-01-01","source":"[I] test"}`,
	))
	if !rs.For("ZJ", asOf).DomainCertificateRequired() || rules.DefaultRuleSet().For("ZJ", asOf).DomainCertificateRequired() {
		t.Error("Zhejiang domain-certificate entry not picked up")
	}

	personal := personalApplication() // "读书笔记与书评" in Zhejiang
	expectViolationsWith(t, personal, rs, got{"websites[0].name", rules.CodeNamePersonalWord})
	expectViolations(t, personal)

	// National words still apply next to the province's additions.
	personal.Websites[0].Name = "读书的博客"
	expectViolationsWith(t, personal, rs, got{"websites[0].name", rules.CodeNamePersonalWord})

	company := validApplication()
	company.Subject.MailingAddress.City = "宁波市"
	expectViolationsWith(t, company, rs, got{"subject.mailing_address.city", rules.CodeAddressCityMismatch})
	expectViolations(t, company)

	// The new entries start on 2026-01-01.
	if vs := rules.Validate(company, chinaMidnight(2025, 12, 31), rs); len(vs) != 0 {
		t.Errorf("before the effective date: %v", reduce(vs))
	}
}

func TestProvinceEntryCanLoosenANationalRule(t *testing.T) {
	rs := load(t, withEntries(t,
		`{"kind":"distinct_contacts","province":"ZJ","value":false,"effective_from":"2026-01-01","source":"[I] test"}`,
	))
	app := validApplication()
	app.Websites[1].Responsible.Mobile = app.Subject.Leader.Mobile
	expectViolations(t, app, got{"websites[1].responsible.mobile", rules.CodeSharedMobile})
	expectViolationsWith(t, app, rs)
}

func TestInvalidRuleDataIsALoadError(t *testing.T) {
	entry := func(kind, province, value, from string) string {
		p := ""
		if province != "" {
			p = `"province":"` + province + `",`
		}
		return `{"kind":"` + kind + `",` + p + `"value":` + value + `,"effective_from":"` + from + `","source":"[I] test"}`
	}
	doc := func(entries ...string) string {
		return `{"version":"t1","rules":[` + strings.Join(entries, ",") + `]}`
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown kind", doc(entry("max_photos", "", "1", "2020-01-01")), "unknown kind"},
		{"string where a number belongs", doc(entry("min_age", "", `"eighteen"`, "2020-01-01")), "value"},
		{"age out of range", doc(entry("min_age", "", "200", "2020-01-01")), "outside"},
		{"null value", doc(entry("sms_verification", "", "null", "2020-01-01")), "missing"},
		{"unknown province", doc(entry("min_age", "XX", "18", "2020-01-01")), "province"},
		{"province in lower case", doc(entry("min_age", "zj", "18", "2020-01-01")), "province"},
		{"impossible date", doc(entry("min_age", "", "18", "2020-13-01")), "effective_from"},
		{"until before from", doc(`{"kind":"min_age","value":18,"effective_from":"2020-01-01","effective_until":"2019-01-01","source":"[I] x"}`), "effective_until"},
		{"source without evidence tag", doc(`{"kind":"min_age","value":18,"effective_from":"2020-01-01","source":"Tencent docs"}`), "evidence tag"},
		{"two entries in force at once", doc(entry("min_age", "HB", "18", "2019-01-01"), entry("min_age", "HB", "16", "2020-01-01")), "overlap"},
		{"unknown field", doc(`{"kind":"min_age","value":18,"effective_from":"2020-01-01","source":"[I] x","provinc":"HB"}`), "unknown field"},
		{"unknown nature", doc(entry("allowed_certificate_types", "", `{"alien":["passport"]}`, "2020-01-01")), "nature"},
		{"organisation certificate for a person", doc(entry("allowed_certificate_types", "", `{"personal":["business_license"]}`, "2020-01-01")), "other kind of subject"},
		{"unknown certificate type", doc(entry("person_id_types", "", `["driving_licence"]`, "2020-01-01")), "personal identity"},
		{"TLD with a dot", doc(entry("approved_tlds", "", `["com.cn"]`, "2020-01-01")), "single DNS label"},
		{"duplicate TLD", doc(entry("approved_tlds", "", `["cn","CN"]`, "2020-01-01")), "twice"},
		{"empty word list", doc(entry("website_name_forbidden_words", "", `[]`, "2020-01-01")), "empty"},
		{"padded word", doc(entry("website_name_personal_words", "", `[" 论坛"]`, "2020-01-01")), "padded"},
		{"unknown content type", doc(entry("pre_approval_content_types", "", `["gambling"]`, "2020-01-01")), "content type"},
		{"unknown photo mode", doc(entry("photo_verification", "", `"selfie"`, "2020-01-01")), "photo"},
		{"bad credit-code prefix", doc(entry("credit_code_prefixes", "", `{"enterprise":["9I"]}`, "2020-01-01")), "GB 32100"},
		{"state prefixes with unknown nature", doc(entry("website_name_state_prefixes", "", `{"prefixes":["中国"],"exempt_natures":["king"]}`, "2020-01-01")), "nature"},
		{"age of an unknown nature", doc(entry("min_age", "", `{"alien":18}`, "2020-01-01")), "subject nature"},
		{"age object out of range", doc(entry("min_age", "", `{"personal":120}`, "2020-01-01")), "outside"},
		{"registrar without a name", doc(entry("approved_registrars", "", `[{"name":" "}]`, "2020-01-01")), "no name"},
		{"registrar alias too short to match safely", doc(entry("approved_registrars", "", `[{"name":"阿里云计算有限公司","aliases":["万网"]}]`, "2020-01-01")), "shorter than 4"},
		{"registrar IANA ID not a number", doc(entry("approved_registrars", "", `[{"name":"Example Registrar","iana_id":"x1"}]`, "2020-01-01")), "IANA ID"},
		{"regulated word of an unknown content", doc(entry("website_name_regulated_words", "", `[{"word":"彩票","content":"lottery"}]`, "2020-01-01")), "content type"},
		{"empty nature list", doc(entry("commitment_letter_natures", "GD", `[]`, "2020-01-01")), "empty"},
		{"missing version", `{"rules":[]}`, "version"},
		{"not JSON", `rules:`, "parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.LoadRuleSet(fstest.MapFS{rules.RuleSetFile: {Data: []byte(tt.data)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := rules.LoadRuleSet(fstest.MapFS{}); err == nil {
		t.Error("a missing file loaded")
	}
}

// A list grows one dated, sourced entry at a time: a TLD approved later is
// its own entry, in force from its own day, beside the older list.
func TestListKindsAddUpTheirEntriesInForce(t *testing.T) {
	rs := load(t, withEntries(t,
		`{"kind":"approved_tlds","value":["example"],"effective_from":"2026-09-01","source":"[I] test approval"}`,
		`{"kind":"approved_registrars","value":[{"name":"Example Registrar Ltd.","iana_id":"424242"}],"effective_from":"2026-01-01","source":"[I] test"}`,
	))
	app := validApplication()
	app.Websites[0].Domain, app.Websites[0].HomepageURL = "yunqi.example", "https://www.yunqi.example/"
	before := reduce(rules.Validate(app, asOf, rs))
	after := reduce(rules.Validate(app, chinaMidnight(2026, 9, 1), rs))
	if len(before) != 1 || before[0].Code != rules.CodeDomainTLDNotApproved || len(after) != 0 {
		t.Errorf("before the approval %v, from it %v", before, after)
	}
	regs := map[string]rules.DomainRegistration{"yunqi-tech.com": {Registered: true, RegistrarIANAID: "424242"}}
	if vs := rules.CheckRegistrations(validApplication(), regs, asOf, rs); len(vs) != 0 {
		t.Errorf("a registrar added by its own entry is refused: %v", reduce(vs))
	}
	if vs := rules.CheckRegistrations(validApplication(), regs, asOf, nil); len(vs) != 1 {
		t.Errorf("the default data knows no registrar 424242: %v", reduce(vs))
	}
}

func TestMinimumAgesByNature(t *testing.T) {
	rs := rules.DefaultRuleSet()
	for _, tt := range []struct {
		province string
		nature   filing.SubjectNature
		want     int
	}{
		{"SD", filing.NaturePersonal, 17},
		{"SD", filing.NatureEnterprise, 18},
		{"SD", filing.NatureSocialOrganization, 18},
		{"GD", filing.NaturePersonal, 18},
		{"GD", filing.NatureEnterprise, 16},
		{"FJ", filing.NaturePersonal, 14},
		{"FJ", filing.NatureEnterprise, 18},
		{"HE", filing.NaturePersonal, 18},
		{"HE", filing.NatureEnterprise, 16},
		{"BJ", filing.NaturePersonal, 16},
	} {
		if got := rs.For(tt.province, asOf).MinimumAge(tt.nature); got != tt.want {
			t.Errorf("%s %s: minimum age %d, want %d", tt.province, tt.nature, got, tt.want)
		}
	}
}

// For caches by province and China day; the cache must not carry one day's
// rules into the next.
func TestResolvedRulesFollowTheChinaDate(t *testing.T) {
	rs := rules.DefaultRuleSet()
	for range 2 {
		if rs.For("BJ", chinaMidnight(2020, 8, 16)).SMSVerificationRequired() {
			t.Error("Beijing's SMS verification started on 17 August 2020")
		}
		if !rs.For("BJ", chinaMidnight(2020, 8, 17)).SMSVerificationRequired() {
			t.Error("Beijing's SMS verification from 17 August 2020")
		}
	}
}
