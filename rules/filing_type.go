package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/width"

	"github.com/beianflow/beianflow/filing"
)

// SubjectRecord is what MIIT holds about a filing subject.
type SubjectRecord struct {
	// Found says whether the subject is on record.
	Found bool `json:"found"`
	// FilingNumber is the subject's filing number (主体备案号), e.g.
	// "浙ICP备12345678号"; it identifies the subject in DomainRecord.
	FilingNumber string `json:"filing_number,omitempty"`
	// Province is the ISO 3166-2:CN code of the province the subject is on
	// record in, if the lookup reports it: a subject is filed with one
	// province's bureau, and its new websites go to that bureau too.
	Province string `json:"province,omitempty"`
	// Nature is the subject nature on record, if the lookup reports it.
	Nature filing.SubjectNature `json:"nature,omitempty"`
	// Name and LeaderName are the subject name (主办单位名称) and the subject
	// leader (主体负责人) on record, where the lookup reports them: a new
	// website carries the subject exactly as filed. They are personal data
	// for a personal subject; only the comparison leaves DetermineType.
	Name       string `json:"-"`
	LeaderName string `json:"-"`
	// Shell says the subject is on record with no website left (空壳主体):
	// every website was cancelled or lost its access.
	Shell bool `json:"shell,omitempty"`
	// AtThisProvider says whether the record was made through this provider.
	AtThisProvider bool `json:"at_this_provider"`
}

// DomainRecord is what MIIT holds about a domain.
type DomainRecord struct {
	// Found says whether a website with this domain is on record.
	Found bool `json:"found"`
	// SubjectFilingNumber is the filing number of the subject the domain is
	// filed under.
	SubjectFilingNumber string `json:"subject_filing_number,omitempty"`
	// AtThisProvider says whether this provider is among the website's
	// access providers.
	AtThisProvider bool `json:"at_this_provider"`
}

// RecordLookup queries the MIIT records, typically through the provider's
// API (Tencent exposes CheckIcpOrderType). The caller implements it; in a
// workflow it runs as an activity.
type RecordLookup interface {
	// LookupSubject finds a subject by certificate type and number,
	// nationwide: a subject on record in another province than the order
	// names is still on record.
	LookupSubject(ctx context.Context, certType filing.CertificateType, certNumber string) (SubjectRecord, error)
	// LookupDomain finds a domain, given as lower-case ASCII eTLD+1.
	LookupDomain(ctx context.Context, domain string) (DomainRecord, error)
}

// TypeOutcome is the result of DetermineType: a filing type, or a block
// explaining what the user has to do instead.
type TypeOutcome struct {
	// Type is the determined filing type; empty when the order is blocked.
	Type filing.Type `json:"type,omitempty"`
	// Code identifies the outcome.
	Code Code `json:"code"`
	// Field points at the offending value of a block, e.g.
	// "websites[0].domain"; empty otherwise.
	Field string `json:"field,omitempty"`
	// Message tells the user the type or what to do instead.
	Message Message `json:"message"`
}

// Blocked reports whether no filing type applies until the user acts.
func (o TypeOutcome) Blocked() bool { return o.Type == "" }

// Handled reports whether beianflow runs this order: only 新增网站 with the
// subject's record at another provider. Other types are told to the user
// with Message so they can go to the right channel.
func (o TypeOutcome) Handled() bool { return o.Type == filing.TypeNewWebsiteElsewhere }

// ErrIncomplete is wrapped by DetermineType when the application lacks the
// subject identity or a usable domain; run Validate first.
var ErrIncomplete = errors.New("rules: application incomplete for filing-type determination")

// DetermineType derives the filing type from the MIIT records of the
// subject and of every domain in the order (decision table of brief §1.2):
//
//	subject on record | domain on record          | subject here | result
//	no                | no                        | –            | 首次备案
//	no                | yes                       | –            | block: 域名冲突
//	yes               | no                        | no           | 新增网站（原备案不在本云）
//	yes               | no                        | yes          | 新增网站（原备案在本云）
//	yes               | yes, same subject         | either       | 新增接入
//	yes               | yes, other subject        | –            | block: 域名冲突
//
// Beyond the table: a domain already accessed here needs no filing; an
// order mixing new and filed domains must be split; a subject nature that
// differs from the record blocks, because MIIT matches it exactly; so does
// a subject on record in another province, whose bureau the order must go
// to.
func DetermineType(ctx context.Context, lookup RecordLookup, app filing.Application) (TypeOutcome, error) {
	s := &app.Subject
	p, ok := LookupProvince(s.Province)
	if !ok || !s.CertificateType.Valid() || strings.TrimSpace(s.CertificateNumber) == "" {
		return TypeOutcome{}, fmt.Errorf("%w: subject province, certificate type and number are needed", ErrIncomplete)
	}
	if len(app.Websites) == 0 {
		return TypeOutcome{}, fmt.Errorf("%w: no website", ErrIncomplete)
	}
	domains := make([]string, len(app.Websites))
	for i, w := range app.Websites {
		d, err := ParseDomain(w.Domain)
		if err != nil {
			return TypeOutcome{}, fmt.Errorf("%w: websites[%d].domain: %w", ErrIncomplete, i, err)
		}
		domains[i] = d.Registrable
	}

	subject, err := lookup.LookupSubject(ctx, s.CertificateType, strings.ToUpper(strings.TrimSpace(s.CertificateNumber)))
	if err != nil {
		return TypeOutcome{}, fmt.Errorf("rules: look up subject: %w", err)
	}
	if subject.Found && subject.Province != "" && !strings.EqualFold(subject.Province, p.Code) {
		if filedIn, ok := LookupProvince(subject.Province); ok {
			return blocked(CodeTypeProvinceMismatch, "subject.province", filedIn.Name), nil
		}
	}
	if subject.Found && subject.Nature != "" && s.Nature != "" && subject.Nature != s.Nature {
		return blocked(CodeTypeNatureMismatch, "subject.nature", subject.Nature.Label()), nil
	}
	if subject.Found && subject.Shell {
		// Tencent refuses to add a website to a shell subject anywhere;
		// Huawei lists eleven provinces that allow it. The stricter rule
		// holds until a bureau says otherwise (rules/data/README.md).
		return blocked(CodeTypeShellSubject, "subject.certificate_number"), nil
	}
	if subject.Found && !sameOnRecord(subject.Name, s.Name) {
		return blocked(CodeTypeSubjectMismatch, "subject.name"), nil
	}
	if subject.Found && !sameOnRecord(subject.LeaderName, s.Leader.Name) {
		return blocked(CodeTypeSubjectMismatch, "subject.leader.name"), nil
	}

	filed := 0 // domains already on record under this subject
	for i, d := range domains {
		rec, err := lookup.LookupDomain(ctx, d)
		if err != nil {
			return TypeOutcome{}, fmt.Errorf("rules: look up domain %s: %w", d, err)
		}
		field := fmt.Sprintf("websites[%d].domain", i)
		display, _ := hostProfile.ToUnicode(d)
		switch {
		case !rec.Found:
		case !subject.Found || rec.SubjectFilingNumber != subject.FilingNumber:
			return blocked(CodeTypeDomainConflict, field, display), nil
		case rec.AtThisProvider:
			return blocked(CodeTypeDomainAlreadyHere, field, display), nil
		default:
			filed++
		}
	}

	switch {
	case filed > 0 && filed < len(domains):
		return blocked(CodeTypeMixed, "websites"), nil
	case filed > 0:
		return typed(filing.TypeAddAccess, CodeTypeAddAccess), nil
	case !subject.Found:
		return typed(filing.TypeFirstFiling, CodeTypeFirstFiling), nil
	case subject.AtThisProvider:
		return typed(filing.TypeNewWebsiteHere, CodeTypeNewWebsiteHere), nil
	default:
		return typed(filing.TypeNewWebsiteElsewhere, CodeTypeNewWebsiteElsewhere), nil
	}
}

// sameOnRecord compares a name as filed with the one entered; either being
// unknown (not reported, not typed yet) is no mismatch. Full-width and
// half-width forms (（） and ()) and spacing are not differences a bureau
// sees.
func sameOnRecord(recorded, entered string) bool {
	r, e := normalText(recorded), normalText(entered)
	return r == "" || e == "" || r == e
}

// normalText drops spacing and folds full-width forms to half-width: what
// people change when they retype a name or a statement without changing
// it.
func normalText(s string) string {
	return strings.Join(strings.Fields(width.Fold.String(s)), "")
}

func typed(t filing.Type, code Code) TypeOutcome {
	return TypeOutcome{Type: t, Code: code, Message: message(code)}
}

func blocked(code Code, field string, args ...any) TypeOutcome {
	return TypeOutcome{Code: code, Field: field, Message: message(code, args...)}
}
