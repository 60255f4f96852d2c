package rules

import (
	"strconv"

	"github.com/beianflow/beianflow/filing"
)

// checkPreApprovals checks the listed pre-approvals and that every
// regulated content type of the website has one.
func (v *validator) checkPreApprovals(prefix string, w *filing.Website) {
	for j, pa := range w.PreApprovals {
		f := prefix + ".pre_approvals[" + strconv.Itoa(j) + "]"
		v.enum(f, "type", string(pa.Type), pa.Type.Valid())
		v.required(f, "document_number", pa.DocumentNumber)
	}
	personal := v.app.Subject.Nature.Personal()
	for j, c := range w.ContentTypes {
		if repeated(w.ContentTypes[:j], c) {
			continue
		}
		field := prefix + ".content_types[" + strconv.Itoa(j) + "]"
		switch {
		case personal && v.pr.preApprovalNeed[c] && v.pr.personalNoPreApproval:
			// Asking for the approval would send the applicant after a
			// document that cannot make the filing pass.
			v.add(field, CodeContentPreApprovalPersonal, c.Label())
		case personal && v.pr.personalForbidden[c]:
			v.add(field, CodeContentNotForPersonal, c.Label())
		case v.pr.preApprovalNeed[c] && !hasPreApproval(w.PreApprovals, c):
			v.add(prefix+".pre_approvals", CodePreApprovalMissing, c.Label())
		}
	}
}

func hasPreApproval(pas []filing.PreApproval, c filing.ContentType) bool {
	for _, pa := range pas {
		if pa.Type == c {
			return true
		}
	}
	return false
}

func repeated(earlier []filing.ContentType, c filing.ContentType) bool {
	for _, e := range earlier {
		if e == c {
			return true
		}
	}
	return false
}
