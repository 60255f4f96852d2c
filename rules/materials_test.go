package rules_test

import (
	"slices"
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func materialKinds(ms []filing.MaterialRequirement) []filing.MaterialKind {
	out := make([]filing.MaterialKind, len(ms))
	for i, m := range ms {
		out[i] = m.Kind
	}
	return out
}

func expectMaterials(t *testing.T, app filing.Application, want ...filing.MaterialKind) []filing.MaterialRequirement {
	t.Helper()
	ms := rules.RequiredMaterials(app, asOf, nil)
	if have := materialKinds(ms); !slices.Equal(have, want) {
		t.Errorf("materials\n have %v\n want %v", have, want)
	}
	for _, m := range ms {
		if m.Code == "" || m.Field == "" || m.Message.ZH == "" || m.Message.EN == "" {
			t.Errorf("%s: incomplete requirement %+v", m.Kind, m)
		}
	}
	return ms
}

func TestEveryFilingCarriesTheVerificationFormAndTheLeadersID(t *testing.T) {
	expectMaterials(t, personalApplication(), filing.MaterialVerificationForm, filing.MaterialLeaderID)
}

func TestAnOrganisationAddsItsCertificateAndEachOtherResponsiblePersonsID(t *testing.T) {
	app := validApplication() // Zhejiang company; the second website has its own responsible person and a pre-approval
	expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID,
		filing.MaterialResponsibleID, filing.MaterialAuthorizationLetter, filing.MaterialPreApproval)
}

// The legal representative authorises a website responsible person who is
// not them (网站负责人授权书; Q-GEN, Q-SH, J-JS, A-HB …).
func TestAResponsiblePersonWhoIsNotTheLegalRepresentativeNeedsTheLetter(t *testing.T) {
	app := inProvince(validApplication(), "HB", "武汉市")
	app.Websites[0].ResponsibleSameAsLeader = true
	app.Subject.Leader.IsLegalRepresentative = true
	expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID)

	app.Websites[0].ResponsibleSameAsLeader = false
	app.Websites[0].Responsible = filing.Person{Name: "李娜", IDType: filing.CertResidentID, IDNumber: liNaID,
		Mobile: "13700137000", Email: "lina@yunqi-tech.com"}
	ms := expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID,
		filing.MaterialResponsibleID, filing.MaterialAuthorizationLetter)
	if m := ms[4]; m.Field != "websites[0].responsible" || m.Code != rules.CodeMaterialAuthorizationLetter {
		t.Errorf("letter requirement = %+v", m)
	}
}

func TestGuangdongAndShanghaiWantTheCommitmentLetterFromEveryone(t *testing.T) {
	expectMaterials(t, personalIn("GD"), filing.MaterialVerificationForm, filing.MaterialCommitmentLetter,
		filing.MaterialLeaderID, filing.MaterialDomainCertificate)
	expectMaterials(t, personalIn("SH"), filing.MaterialVerificationForm, filing.MaterialCommitmentLetter,
		filing.MaterialLeaderID, filing.MaterialDomainCertificate)
	expectMaterials(t, personalIn("HB"), filing.MaterialVerificationForm, filing.MaterialLeaderID)
}

func TestGuangdongsCommitmentLetterStartedOn21June2021(t *testing.T) {
	app := personalIn("GD")
	before := rules.RequiredMaterials(app, chinaMidnight(2021, 6, 20), nil)
	on := rules.RequiredMaterials(app, chinaMidnight(2021, 6, 21), nil)
	if slices.Contains(materialKinds(before), filing.MaterialCommitmentLetter) || !slices.Contains(materialKinds(on), filing.MaterialCommitmentLetter) {
		t.Errorf("before %v, on %v", materialKinds(before), materialKinds(on))
	}
}

// Individuals with a resident ID from elsewhere file with the province's
// residence permit where the bureau accepts one (Hubei: Q-HB, J-HB), and
// are refused where it does not (Qinghai: Q-QH, J-QH).
func TestNonLocalIndividualsFileWithAResidencePermitWhereAccepted(t *testing.T) {
	hangzhouID := personalApplication().Subject.CertificateNumber

	app := personalIn("HB")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = hangzhouID, hangzhouID
	ms := expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialResidencePermit, filing.MaterialLeaderID)
	if ms[1].Field != "subject.certificate_number" {
		t.Errorf("residence permit requirement on %q", ms[1].Field)
	}
	expectViolations(t, app)

	app = personalIn("QH")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = hangzhouID, hangzhouID
	expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialLeaderID)
	expectViolations(t, app, got{"subject.certificate_number", rules.CodeNonLocalID})

	// Shaanxi takes cross-province personal filings as they are (H-KB2).
	app = personalIn("SN")
	app.Subject.CertificateNumber, app.Subject.Leader.IDNumber = hangzhouID, hangzhouID
	expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialLeaderID)
}

func TestJiangsuWantsTheDomainCertificate(t *testing.T) {
	app := inProvince(validApplication(), "JS", "南京市")
	app.Websites[0].ResponsibleSameAsLeader = true
	app.Subject.Leader.IsLegalRepresentative = true
	expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID,
		filing.MaterialDomainCertificate)
}

func TestPreApprovalDocumentsAreAttachedWhenListed(t *testing.T) {
	app := validApplication()
	app.Websites[0].ContentTypes = []filing.ContentType{filing.ContentNews}
	app.Websites[0].PreApprovals = []filing.PreApproval{{Type: filing.ContentNews, DocumentNumber: "33120240001"}}
	if !slices.Contains(materialKinds(rules.RequiredMaterials(app, asOf, nil)), filing.MaterialPreApproval) {
		t.Error("no pre-approval document demanded")
	}
}

// Jiangsu lets an authorised person lead the filing, with the legal
// representative's letter, if they also answer for every website (Q-JS:
// 如主办单位负责人不是法定代表人，网站负责人必须与主办单位负责人为同一人).
func TestInJiangsuAnAuthorisedLeaderAnswersForEveryWebsite(t *testing.T) {
	app := inProvince(validApplication(), "JS", "南京市")
	app.Subject.Leader.IsLegalRepresentative = false
	app.Websites[0].ResponsibleSameAsLeader = true
	expectViolations(t, app)
	ms := expectMaterials(t, app, filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID,
		filing.MaterialAuthorizationLetter, filing.MaterialDomainCertificate)
	if ms[3].Code != rules.CodeMaterialLeaderAuthorizationLetter || ms[3].Field != "subject.leader" {
		t.Errorf("letter requirement = %+v", ms[3])
	}

	app.Websites[0].ResponsibleSameAsLeader = false
	app.Websites[0].Responsible = filing.Person{Name: "李娜", IDType: filing.CertResidentID, IDNumber: liNaID,
		Mobile: "13700137000", Email: "lina@yunqi-tech.com"}
	expectViolations(t, app, got{"websites[0].responsible_same_as_leader", rules.CodeResponsibleNotAuthorizedLeader})

	// Zhejiang wants the legal representative as leader in any case.
	zj := validApplication()
	zj.Subject.Leader.IsLegalRepresentative = false
	expectViolations(t, zj, got{"subject.leader.is_legal_representative", rules.CodeLeaderNotLegalRep})
}
