package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/beianflow/beianflow/rules"
)

// What the registry says of a domain, checked as the bureau does, with
// examples of the answers registries give.
func TestTheRegistrysAnswerIsCheckedAsTheBureauChecksIt(t *testing.T) {
	app := validApplication() // Zhejiang company: yunqi-tech.com and 云栖.中国
	first := "websites[0].domain"
	active := func(expires time.Time) rules.DomainRegistration {
		return rules.DomainRegistration{Registered: true, Expires: expires}
	}
	for _, tt := range []struct {
		name string
		reg  rules.DomainRegistration
		want []got
	}{
		{"registered for two more years", active(asOf.AddDate(2, 0, 0)), nil},
		{"expiry not published (redacting registries)", rules.DomainRegistration{Registered: true}, nil},
		{"the registry has no such domain (RDAP 404)", rules.DomainRegistration{}, onField(first, rules.CodeDomainNotRegistered)},
		{"exactly 90 days left is enough", active(asOf.AddDate(0, 0, 90)), nil},
		{"89 days left", active(asOf.AddDate(0, 0, 89)), onField(first, rules.CodeDomainValidityTooShort)},
		{"expired (CZ.NIC's example.cz, 2019-08-30)", active(time.Date(2019, 8, 30, 12, 0, 0, 0, time.UTC)), onField(first, rules.CodeDomainValidityTooShort)},
		{"server hold", rules.DomainRegistration{Registered: true, OnHold: true, Expires: asOf.AddDate(1, 0, 0)}, onField(first, rules.CodeDomainOnHold)},
		{"real-name verification pending", rules.DomainRegistration{Registered: true, RealNamePending: true}, onField(first, rules.CodeDomainRealNamePending)},
		{"held by the company", rules.DomainRegistration{Registered: true, Registrant: app.Subject.Name}, nil},
		{"held by the company's principal", rules.DomainRegistration{Registered: true, Registrant: app.Subject.Leader.Name}, nil},
		{"held by another company", rules.DomainRegistration{Registered: true, Registrant: "杭州另一家科技有限公司"}, onField(first, rules.CodeDomainRegistrantMismatch)},
		{"at Alibaba Cloud, as CNNIC names it", rules.DomainRegistration{Registered: true, Registrar: "阿里云计算有限公司（万网）"}, nil},
		{"at Alibaba Cloud, as gTLD RDAP names it", rules.DomainRegistration{Registered: true, Registrar: "Alibaba Cloud Computing (Beijing) Co., Ltd.", RegistrarIANAID: "1599"}, nil},
		{"at DNSPod (Tencent Cloud)", rules.DomainRegistration{Registered: true, Registrar: "DNSPod, Inc."}, nil},
		{"at a foreign registrar", rules.DomainRegistration{Registered: true, Registrar: "NameCheap, Inc.", RegistrarIANAID: "1068"},
			onField(first, rules.CodeDomainRegistrarNotApproved)},
		{"at a registrar known only by IANA ID", rules.DomainRegistration{Registered: true, RegistrarIANAID: "146"},
			onField(first, rules.CodeDomainRegistrarNotApproved)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			regs := map[string]rules.DomainRegistration{"yunqi-tech.com": tt.reg}
			have := reduce(rules.CheckRegistrations(app, regs, asOf, nil))
			if len(tt.want) == 0 {
				assert.Empty(t, have)
				return
			}
			assert.Equal(t, tt.want, have)
		})
	}

	t.Run("Shandong asks 45 days (rules data)", func(t *testing.T) {
		sd := inProvince(validApplication(), "SD", "济南市")
		regs := map[string]rules.DomainRegistration{"yunqi-tech.com": active(asOf.AddDate(0, 0, 60))}
		assert.Empty(t, rules.CheckRegistrations(sd, regs, asOf, nil))
		assert.Len(t, rules.CheckRegistrations(app, regs, asOf, nil), 1, "Zhejiang: 90")
	})
	t.Run("a personal site's domain is the individual's", func(t *testing.T) {
		personal := personalApplication()
		regs := map[string]rules.DomainRegistration{}
		d, err := rules.ParseDomain(personal.Websites[0].Domain)
		assert.NoError(t, err)
		regs[d.Registrable] = rules.DomainRegistration{Registered: true, Registrant: personal.Subject.Name}
		assert.Empty(t, rules.CheckRegistrations(personal, regs, asOf, nil))
		regs[d.Registrable] = rules.DomainRegistration{Registered: true, Registrant: "王芳"}
		assert.Equal(t, onField("websites[0].domain", rules.CodeDomainRegistrantMismatch), reduce(rules.CheckRegistrations(personal, regs, asOf, nil)))
	})
	t.Run("Ningxia wants the organisation itself as holder (H-S2, H-KB, TO)", func(t *testing.T) {
		nx := inProvince(validApplication(), "NX", "银川市")
		byLeader := map[string]rules.DomainRegistration{"yunqi-tech.com": {Registered: true, Registrant: nx.Subject.Leader.Name}}
		assert.Equal(t, onField(first, rules.CodeDomainRegistrantMismatch), reduce(rules.CheckRegistrations(nx, byLeader, asOf, nil)))
		assert.Empty(t, rules.CheckRegistrations(app, byLeader, asOf, nil), "Zhejiang takes the principal")
		byCompany := map[string]rules.DomainRegistration{"yunqi-tech.com": {Registered: true, Registrant: nx.Subject.Name}}
		assert.Empty(t, rules.CheckRegistrations(nx, byCompany, asOf, nil))
	})
	t.Run("a domain not looked up is not checked", func(t *testing.T) {
		assert.Empty(t, rules.CheckRegistrations(app, nil, asOf, nil))
	})
	t.Run("the message says until when and how long", func(t *testing.T) {
		regs := map[string]rules.DomainRegistration{"yunqi-tech.com": active(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))}
		vs := rules.CheckRegistrations(app, regs, asOf, nil)
		if assert.Len(t, vs, 1) {
			assert.Equal(t, "域名将于2026-09-01到期，备案省份管局要求至少剩余90天有效期，请先续费。", vs[0].Message.ZH)
			assert.Contains(t, vs[0].Message.EN, "expires on 2026-09-01")
		}
	})
}
