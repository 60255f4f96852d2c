package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// fakeRecords is an in-memory MIIT register.
type fakeRecords struct {
	subject rules.SubjectRecord
	domains map[string]rules.DomainRecord
	err     error
	// asked records the lookups, to check the arguments.
	asked []string
}

func (f *fakeRecords) LookupSubject(_ context.Context, certType filing.CertificateType, certNumber string) (rules.SubjectRecord, error) {
	f.asked = append(f.asked, string(certType)+"/"+certNumber)
	return f.subject, f.err
}

func (f *fakeRecords) LookupDomain(_ context.Context, domain string) (rules.DomainRecord, error) {
	f.asked = append(f.asked, domain)
	return f.domains[domain], f.err
}

const (
	ourSubject   = "浙ICP备12345678号"
	otherSubject = "京ICP备87654321号"
)

var (
	subjectElsewhere = rules.SubjectRecord{Found: true, FilingNumber: ourSubject, Nature: filing.NatureEnterprise}
	subjectHere      = rules.SubjectRecord{Found: true, FilingNumber: ourSubject, AtThisProvider: true}
	filedForUs       = rules.DomainRecord{Found: true, SubjectFilingNumber: ourSubject}
	filedForUsHere   = rules.DomainRecord{Found: true, SubjectFilingNumber: ourSubject, AtThisProvider: true}
	filedForOthers   = rules.DomainRecord{Found: true, SubjectFilingNumber: otherSubject}
)

// The two domains of validApplication, as looked up.
const (
	domainA = "yunqi-tech.com"
	domainB = "xn--9kqz53d.xn--fiqs8s"
)

func TestFilingTypeDecisionTable(t *testing.T) {
	tests := []struct {
		name    string
		subject rules.SubjectRecord
		domains map[string]rules.DomainRecord
		want    rules.TypeOutcome
		handled bool
	}{
		{"neither subject nor domain on record: first filing",
			rules.SubjectRecord{}, nil,
			rules.TypeOutcome{Type: filing.TypeFirstFiling, Code: rules.CodeTypeFirstFiling}, false},
		{"subject unknown but domain filed by someone: domain conflict",
			rules.SubjectRecord{}, map[string]rules.DomainRecord{domainB: filedForOthers},
			rules.TypeOutcome{Code: rules.CodeTypeDomainConflict, Field: "websites[1].domain"}, false},
		{"subject filed elsewhere, domains new: new website, record elsewhere",
			subjectElsewhere, nil,
			rules.TypeOutcome{Type: filing.TypeNewWebsiteElsewhere, Code: rules.CodeTypeNewWebsiteElsewhere}, true},
		{"subject filed here, domains new: new website, record here",
			subjectHere, nil,
			rules.TypeOutcome{Type: filing.TypeNewWebsiteHere, Code: rules.CodeTypeNewWebsiteHere}, false},
		{"subject elsewhere and domains filed under it: add access",
			subjectElsewhere, map[string]rules.DomainRecord{domainA: filedForUs, domainB: filedForUs},
			rules.TypeOutcome{Type: filing.TypeAddAccess, Code: rules.CodeTypeAddAccess}, false},
		{"subject here and domains filed under it elsewhere: add access",
			subjectHere, map[string]rules.DomainRecord{domainA: filedForUs, domainB: filedForUs},
			rules.TypeOutcome{Type: filing.TypeAddAccess, Code: rules.CodeTypeAddAccess}, false},
		{"domain filed under another subject: domain conflict",
			subjectElsewhere, map[string]rules.DomainRecord{domainA: filedForOthers},
			rules.TypeOutcome{Code: rules.CodeTypeDomainConflict, Field: "websites[0].domain"}, false},
		{"domain already accessed here: nothing to file",
			subjectHere, map[string]rules.DomainRecord{domainA: filedForUsHere},
			rules.TypeOutcome{Code: rules.CodeTypeDomainAlreadyHere, Field: "websites[0].domain"}, false},
		{"one domain new, one filed: split the order",
			subjectElsewhere, map[string]rules.DomainRecord{domainB: filedForUs},
			rules.TypeOutcome{Code: rules.CodeTypeMixed, Field: "websites"}, false},
		{"subject on record in the order's province: new website, record elsewhere",
			rules.SubjectRecord{Found: true, FilingNumber: ourSubject, Province: "zj"}, nil,
			rules.TypeOutcome{Type: filing.TypeNewWebsiteElsewhere, Code: rules.CodeTypeNewWebsiteElsewhere}, true},
		{"subject on record in another province: file with that province's bureau",
			rules.SubjectRecord{Found: true, FilingNumber: otherSubject, Province: "BJ"}, nil,
			rules.TypeOutcome{Code: rules.CodeTypeProvinceMismatch, Field: "subject.province"}, false},
		{"record says another nature: change the record first",
			rules.SubjectRecord{Found: true, FilingNumber: ourSubject, Nature: filing.NaturePersonal}, nil,
			rules.TypeOutcome{Code: rules.CodeTypeNatureMismatch, Field: "subject.nature"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := &fakeRecords{subject: tt.subject, domains: tt.domains}
			out, err := rules.DetermineType(context.Background(), lookup, validApplication())
			if err != nil {
				t.Fatal(err)
			}
			if out.Type != tt.want.Type || out.Code != tt.want.Code || out.Field != tt.want.Field {
				t.Errorf("outcome = %+v, want %+v", out, tt.want)
			}
			if out.Message.ZH == "" || out.Message.EN == "" {
				t.Errorf("outcome has no message: %+v", out)
			}
			if out.Handled() != tt.handled || out.Blocked() != (tt.want.Type == "") {
				t.Errorf("Handled() = %v, Blocked() = %v", out.Handled(), out.Blocked())
			}
		})
	}
}

func TestFilingTypeLooksUpNormalisedIdentifiers(t *testing.T) {
	app := validApplication()
	app.Subject.Province = "cn-zj"
	app.Subject.CertificateNumber = " " + companyUSCC + " "
	app.Websites[0].Domain = "WWW.Yunqi-Tech.com"
	lookup := &fakeRecords{subject: subjectElsewhere}
	if _, err := rules.DetermineType(context.Background(), lookup, app); err != nil {
		t.Fatal(err)
	}
	want := []string{"business_license/" + companyUSCC, domainA, domainB}
	if len(lookup.asked) != len(want) {
		t.Fatalf("lookups = %q, want %q", lookup.asked, want)
	}
	for i := range want {
		if lookup.asked[i] != want[i] {
			t.Errorf("lookup %d = %q, want %q", i, lookup.asked[i], want[i])
		}
	}
}

func TestConflictMessageTellsWhatToDo(t *testing.T) {
	lookup := &fakeRecords{subject: subjectElsewhere, domains: map[string]rules.DomainRecord{domainB: filedForOthers}}
	out, err := rules.DetermineType(context.Background(), lookup, validApplication())
	if err != nil {
		t.Fatal(err)
	}
	if want := "域名 云栖.中国 已在其他主体下备案（域名冲突）：须由原主体注销该网站或将其迁移到本主体后再办理。"; out.Message.ZH != want {
		t.Errorf("message = %q, want %q", out.Message.ZH, want)
	}
}

// A subject is looked up nationwide: one on record in Beijing adds its
// website with Beijing's bureau, whatever province the order named.
func TestASubjectOnRecordInAnotherProvinceIsSentThere(t *testing.T) {
	lookup := &fakeRecords{subject: rules.SubjectRecord{Found: true, FilingNumber: otherSubject, Province: "BJ"}}
	out, err := rules.DetermineType(context.Background(), lookup, validApplication())
	if err != nil {
		t.Fatal(err)
	}
	if want := "主体已在北京备案：新增网站须提交至主体备案所在省份的管局，请将主体所在省份改为北京。"; out.Message.ZH != want {
		t.Errorf("message = %q, want %q", out.Message.ZH, want)
	}
	if want := "The subject is on record in 北京: a new website goes to the bureau of the subject's province, so file it in 北京."; out.Message.EN != want {
		t.Errorf("message = %q, want %q", out.Message.EN, want)
	}
}

func TestFilingTypeNeedsSubjectIdentityAndDomains(t *testing.T) {
	for name, mutate := range map[string]func(*filing.Application){
		"no certificate number": func(a *filing.Application) { a.Subject.CertificateNumber = "" },
		"unknown province":      func(a *filing.Application) { a.Subject.Province = "HK" },
		"no websites":           func(a *filing.Application) { a.Websites = nil },
		"invalid domain":        func(a *filing.Application) { a.Websites[1].Domain = "http://x" },
	} {
		t.Run(name, func(t *testing.T) {
			app := validApplication()
			mutate(&app)
			_, err := rules.DetermineType(context.Background(), &fakeRecords{}, app)
			if !errors.Is(err, rules.ErrIncomplete) {
				t.Errorf("err = %v, want ErrIncomplete", err)
			}
		})
	}
}

func TestFilingTypeLookupFailureIsReturned(t *testing.T) {
	boom := errors.New("MIIT gateway timeout")
	_, err := rules.DetermineType(context.Background(), &fakeRecords{err: boom}, validApplication())
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
}

// A new website carries the subject exactly as filed (TC 新增网站: 备案成功
// 信息…与现有信息不一致的情况下，需要先进行变更备案).
func TestTheSubjectMustEqualItsRecord(t *testing.T) {
	app := validApplication() // 杭州云栖网络科技有限公司, leader 张伟
	for _, tt := range []struct {
		name         string
		recordName   string
		recordLeader string
		wantCode     rules.Code
		wantField    string
	}{
		{"as filed", app.Subject.Name, app.Subject.Leader.Name, rules.CodeTypeNewWebsiteElsewhere, ""},
		{"the record does not report names", "", "", rules.CodeTypeNewWebsiteElsewhere, ""},
		{"spacing is no difference", "杭州云栖网络科技有限公司 ", "张 伟", rules.CodeTypeNewWebsiteElsewhere, ""},
		{"full-width brackets are no difference", "杭州云栖网络科技有限公司（滨江）", app.Subject.Leader.Name, rules.CodeTypeNewWebsiteElsewhere, ""},
		{"renamed since its filing", "杭州云栖信息技术有限公司", app.Subject.Leader.Name, rules.CodeTypeSubjectMismatch, "subject.name"},
		{"another leader on record", app.Subject.Name, "王芳", rules.CodeTypeSubjectMismatch, "subject.leader.name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := subjectElsewhere
			rec.Name, rec.LeaderName = tt.recordName, tt.recordLeader
			app := app
			if strings.Contains(tt.recordName, "（") {
				app.Subject.Name = "杭州云栖网络科技有限公司(滨江)"
			}
			out, err := rules.DetermineType(context.Background(), &fakeRecords{subject: rec}, app)
			if err != nil {
				t.Fatal(err)
			}
			if out.Code != tt.wantCode || out.Field != tt.wantField {
				t.Errorf("outcome %s on %q, want %s on %q", out.Code, out.Field, tt.wantCode, tt.wantField)
			}
		})
	}
}

func TestAShellSubjectIsCancelledBeforeItFilesAgain(t *testing.T) {
	rec := subjectElsewhere
	rec.Shell = true
	out, err := rules.DetermineType(context.Background(), &fakeRecords{subject: rec}, validApplication())
	if err != nil {
		t.Fatal(err)
	}
	if out.Code != rules.CodeTypeShellSubject || !out.Blocked() || out.Field != "subject.certificate_number" {
		t.Errorf("outcome = %+v", out)
	}
	if want := "该主体在工信部备案中已无网站（空壳主体）：须先注销主体备案，再以“首次备案”办理。"; out.Message.ZH != want {
		t.Errorf("message = %q", out.Message.ZH)
	}
}

func TestSubjectNamesOnRecordNeverReachJSON(t *testing.T) {
	rec := rules.SubjectRecord{Found: true, Name: "张伟", LeaderName: "张伟"}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "张伟") {
		t.Errorf("record JSON carries the name: %s", data)
	}
}
