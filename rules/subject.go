package rules

import (
	"strconv"

	"github.com/beianflow/beianflow/filing"
)

func (v *validator) checkSubject() {
	s := &v.app.Subject
	provinceOK := v.province("subject", "province", s.Province)
	natureOK := v.enum("subject", "nature", string(s.Nature), s.Nature.Valid())
	typeOK := v.enum("subject", "certificate_type", string(s.CertificateType), s.CertificateType.Valid())
	if natureOK && typeOK {
		if allowed, listed := v.pr.certTypes[s.Nature]; listed && !allowed[s.CertificateType] {
			v.add("subject.certificate_type", CodeCertificateTypeNotAllowed, s.CertificateType.Label(), s.Nature.Label())
			typeOK = false
		}
	}
	if v.required("subject", "certificate_number", s.CertificateNumber) && typeOK {
		v.checkSubjectNumber(natureOK, provinceOK)
	}
	v.required("subject", "name", s.Name)
	v.checkAddresses(provinceOK, natureOK)
	v.checkPerson("subject.leader", &s.Leader)
	if natureOK {
		v.checkLeaderRole()
	}
	if v.required("subject", "emergency_phone", s.EmergencyPhone) {
		if _, err := ParseMobile(s.EmergencyPhone); err != nil {
			v.addFormat("subject.emergency_phone", formatOf(err))
		}
	}
}

// checkSubjectNumber checks the certificate number against its type and
// what the number reveals against nature and province.
func (v *validator) checkSubjectNumber(natureOK, provinceOK bool) {
	const field = "subject.certificate_number"
	s := &v.app.Subject
	num, err := parseCertificateNumber(s.CertificateType, s.CertificateNumber)
	if err != nil {
		v.addFormat(field, err)
		return
	}
	if num.hasID && v.today.before(num.id.Birth) {
		v.add(field, CodeIDBirthDateFuture)
		return
	}
	if num.hasCredit && natureOK {
		if prefixes, listed := v.pr.creditPrefixes[s.Nature]; listed && !prefixes[num.credit.Prefix()] {
			v.add(field, CodeCreditCodeNature, s.Nature.Label())
		}
	}
	if num.hasID && provinceOK && s.Nature.Personal() && v.pr.personalLocalID &&
		s.CertificateType == filing.CertResidentID && num.id.Region[:2] != v.pr.province.DivisionCode() {
		v.add(field, CodeNonLocalID)
	}
}

// checkLeaderRole applies the rules on who may be the subject leader.
func (v *validator) checkLeaderRole() {
	s := &v.app.Subject
	l := &s.Leader
	if s.Nature.Personal() {
		// The leader of a personal subject is the individual; a mismatch is
		// only meaningful once both numbers are there.
		if l.IDNumber != "" && s.CertificateNumber != "" &&
			(l.IDType != s.CertificateType || !sameCertificateNumber(l.IDNumber, s.CertificateNumber)) {
			v.add("subject.leader.id_number", CodePersonalLeaderMismatch)
		}
		return
	}
	// The flag's zero value cannot say "not yet answered", so it counts as
	// answered once the leader has a name.
	switch {
	case l.IsLegalRepresentative || l.Name == "":
	case v.pr.leaderLegalRep:
		v.add("subject.leader.is_legal_representative", CodeLeaderNotLegalRep)
	case v.pr.authorizedLeaderResponsible:
		for i, w := range v.app.Websites {
			if !w.ResponsibleSameAsLeader {
				v.add("websites["+strconv.Itoa(i)+"].responsible_same_as_leader", CodeResponsibleNotAuthorizedLeader)
			}
		}
	}
}

// checkPerson checks one natural person: identity document, contacts and
// the province's minimum age.
func (v *validator) checkPerson(prefix string, p *filing.Person) {
	v.required(prefix, "name", p.Name)
	typeOK := v.enum(prefix, "id_type", string(p.IDType), p.IDType.Valid())
	if typeOK && (!p.IDType.Personal() || (v.pr.personIDTypes != nil && !v.pr.personIDTypes[p.IDType])) {
		v.add(join(prefix, "id_type"), CodePersonIDTypeNotAllowed, p.IDType.Label())
		typeOK = false
	}
	if v.required(prefix, "id_number", p.IDNumber) && typeOK {
		v.checkPersonNumber(prefix, p)
	}
	if v.required(prefix, "mobile", p.Mobile) {
		if _, err := ParseMobile(p.Mobile); err != nil {
			v.addFormat(join(prefix, "mobile"), formatOf(err))
		}
	}
	if v.required(prefix, "email", p.Email) {
		if _, err := ParseEmail(p.Email); err != nil {
			v.addFormat(join(prefix, "email"), formatOf(err))
		}
	}
	v.checkLocalPhone(join(prefix, "office_phone"), p.OfficePhone)
}

func (v *validator) checkPersonNumber(prefix string, p *filing.Person) {
	num, err := parseCertificateNumber(p.IDType, p.IDNumber)
	switch {
	case err != nil:
		v.addFormat(join(prefix, "id_number"), err)
	case !num.hasID:
	case v.today.before(num.id.Birth):
		v.add(join(prefix, "id_number"), CodeIDBirthDateFuture)
	default:
		if least := v.pr.minAge.of(v.app.Subject.Nature); least > 0 && ageOn(num.id.Birth, v.today) < least {
			v.add(join(prefix, "id_number"), CodeIDTooYoung, least)
		}
	}
}
