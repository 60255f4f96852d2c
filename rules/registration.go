package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// DomainRegistration is what a domain's registry says of it, as far as the
// rules need it; the registrar gateway fills it in.
type DomainRegistration struct {
	// Registered is false when the registry has no such domain.
	Registered bool
	// OnHold says the registry or registrar suspended it.
	OnHold bool
	// Expires is the expiration; zero when the registry does not say.
	Expires time.Time
	// RealNamePending says the holder's real-name verification is not
	// complete; false also when unknown.
	RealNamePending bool
	// Registrant is the published holder; empty when redacted.
	Registrant string
	// Registrar and RegistrarIANAID name the sponsoring registrar; empty
	// when the registry does not say.
	Registrar, RegistrarIANAID string
}

// CheckRegistrations checks what the registries said of the application's
// domains (regs, by registrable ASCII domain; a domain that was not looked
// up is not checked) against what the bureau checks (domain brief §2.3):
// registered, not suspended, valid for the province's minimum, the holder
// real-name verified and, where published, the subject or its leader
// (MIIT, 关于规范互联网信息服务使用域名的通知: an individual's own domain; an
// organisation's, its principal's or a senior manager's, whom the
// application does not name).
func CheckRegistrations(app filing.Application, regs map[string]DomainRegistration, asOf time.Time, rs *RuleSet) []Violation {
	if rs == nil {
		rs = DefaultRuleSet()
	}
	pr := rs.For(app.Subject.Province, asOf)
	v := validator{pr: &pr, app: &app, today: chinaDate(asOf)}
	for i, w := range app.Websites {
		d, err := ParseDomain(w.Domain)
		if err != nil {
			continue // Validate reports it
		}
		reg, ok := regs[d.Registrable]
		if !ok {
			continue
		}
		field := fmt.Sprintf("websites[%d].domain", i)
		if !reg.Registered {
			v.add(field, CodeDomainNotRegistered)
			continue
		}
		if known := reg.Registrar != "" || reg.RegistrarIANAID != ""; known && !pr.registrars.empty() &&
			!pr.registrars.approves(reg.RegistrarIANAID, reg.Registrar) {
			name := reg.Registrar
			if name == "" {
				name = "IANA " + reg.RegistrarIANAID
			}
			v.add(field, CodeDomainRegistrarNotApproved, name)
		}
		if reg.OnHold {
			v.add(field, CodeDomainOnHold)
		}
		if days := pr.DomainMinValidityDays(); !reg.Expires.IsZero() && reg.Expires.Before(asOf.AddDate(0, 0, days)) {
			v.add(field, CodeDomainValidityTooShort, reg.Expires.In(chinaTime).Format(time.DateOnly), days)
		}
		if reg.RealNamePending {
			v.add(field, CodeDomainRealNamePending)
		}
		leaderMayHold := app.Subject.Nature.Personal() || !pr.holderIsOrganization
		if h := strings.TrimSpace(reg.Registrant); h != "" && h != app.Subject.Name && (!leaderMayHold || h != app.Subject.Leader.Name) {
			v.add(field, CodeDomainRegistrantMismatch)
		}
	}
	return v.out
}
