package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// RequiredMaterials lists the documents the submission of app will demand
// under the rules in force for its province on the date of asOf, one per
// kind, in form order, each with the field it is for and the reason. The
// dry run shows them while the user types; the automated checks refuse a
// submission that lacks one. A nil rs means DefaultRuleSet().
func RequiredMaterials(app filing.Application, asOf time.Time, rs *RuleSet) []filing.MaterialRequirement {
	if rs == nil {
		rs = DefaultRuleSet()
	}
	pr := rs.For(app.Subject.Province, asOf)
	s := &app.Subject
	province := pr.Province().Name
	var out []filing.MaterialRequirement
	need := func(kind filing.MaterialKind, code Code, field string, args ...any) {
		for _, m := range out {
			if m.Kind == kind {
				return
			}
		}
		out = append(out, filing.MaterialRequirement{Kind: kind, Code: code, Field: field, Message: message(code, args...)})
	}
	need(filing.MaterialVerificationForm, CodeMaterialVerificationForm, "subject")
	org := s.Nature.Valid() && !s.Nature.Personal()
	if org {
		need(filing.MaterialSubjectCertificate, CodeMaterialSubjectCertificate, "subject")
	}
	if pr.commitmentLetter[s.Nature] {
		need(filing.MaterialCommitmentLetter, CodeMaterialCommitmentLetter, "subject", province)
	}
	if s.Nature.Personal() && pr.residencePermit && !pr.personalLocalID && idFromElsewhere(s, pr.province) {
		need(filing.MaterialResidencePermit, CodeMaterialResidencePermit, "subject.certificate_number", province)
	}
	need(filing.MaterialLeaderID, CodeMaterialLeaderID, "subject.leader")
	if org && pr.authorizationLetter && !s.Leader.IsLegalRepresentative && s.Leader.Name != "" {
		need(filing.MaterialAuthorizationLetter, CodeMaterialLeaderAuthorizationLetter, "subject.leader", province)
	}
	for i := range app.Websites {
		w := &app.Websites[i]
		prefix := "websites[" + strconv.Itoa(i) + "]"
		if !w.ResponsibleSameAsLeader {
			need(filing.MaterialResponsibleID, CodeMaterialResponsibleID, prefix+".responsible")
		}
		responsible := &w.Responsible
		if w.ResponsibleSameAsLeader {
			responsible = &s.Leader
		}
		if org && pr.authorizationLetter && !responsible.IsLegalRepresentative {
			need(filing.MaterialAuthorizationLetter, CodeMaterialAuthorizationLetter, prefix+".responsible", province)
		}
		if len(w.PreApprovals) > 0 {
			need(filing.MaterialPreApproval, CodeMaterialPreApproval, prefix+".pre_approvals")
		}
		if pr.domainCertificate {
			need(filing.MaterialDomainCertificate, CodeMaterialDomainCertificate, prefix+".domain", province)
		}
	}
	return out
}

// idFromElsewhere reports whether a personal subject's resident ID was
// issued outside province p; other documents carry no division.
func idFromElsewhere(s *filing.Subject, p Province) bool {
	if s.CertificateType != filing.CertResidentID || p.Code == "" {
		return false
	}
	id, err := ParseResidentID(strings.TrimSpace(s.CertificateNumber))
	return err == nil && id.Region[:2] != p.DivisionCode()
}
