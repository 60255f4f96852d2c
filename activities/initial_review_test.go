package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/registrar"
	"github.com/beianflow/beianflow/internal/sample"
)

// The bureau's most common rejection is the domain: the automated checks
// ask its registry first, over RDAP (here the sandbox registry, scripted
// by marker).
func TestTheAutomatedChecksAskTheRegistryWhatTheBureauChecksOfEachDomain(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	sb := registrar.NewSandbox(func() time.Time { return now })
	a := &Activities{Registry: sb, Now: func() time.Time { return now }}
	app := sample.ValidApplication()
	sb.Set("held-by-another.com", &registrar.Registration{Domain: "held-by-another.com", Registrant: "杭州另一家科技有限公司",
		Status: []string{"active"}, Expires: now.AddDate(1, 0, 0), RealName: registrar.RealNameVerified})
	sb.Set("held-by-subject.com", &registrar.Registration{Domain: "held-by-subject.com", Registrant: app.Subject.Name,
		Status: []string{"active"}, Expires: now.AddDate(1, 0, 0), RealName: registrar.RealNameVerified})
	for domain, want := range map[string]string{
		"www.yunqi-tech.com":     "",
		"held-by-subject.com":    "",
		"unregistered-yunqi.com": "domain.not_registered",
		"expiring-yunqi.com":     "domain.validity_too_short",
		"unverified-yunqi.com":   "domain.realname_pending",
		"onhold-yunqi.com":       "domain.on_hold",
		"held-by-another.com":    "domain.registrant_mismatch",
		"foreign-yunqi.com":      "domain.registrar_not_approved",
		"otherholder-yunqi.com":  "domain.registrant_mismatch",
	} {
		t.Run(domain, func(t *testing.T) {
			app.Websites = []filing.Website{{Domain: domain}}
			got, err := a.domainFindings(context.Background(), app)
			require.NoError(t, err)
			if want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, want, got[0].Code)
			assert.Equal(t, "websites[0].domain", got[0].Field)
			assert.NotContains(t, got[0].Message, app.Subject.Name, "no personal data in the reason")
		})
	}
	t.Run("the province's minimum validity", func(t *testing.T) {
		sb.Set("sixty-days.com", &registrar.Registration{Domain: "sixty-days.com", Status: []string{"active"}, Expires: now.AddDate(0, 0, 60)})
		app.Websites = []filing.Website{{Domain: "sixty-days.com"}}
		zj, err := a.domainFindings(context.Background(), app)
		require.NoError(t, err)
		require.Len(t, zj, 1, "90 days nationally")
		assert.Contains(t, zj[0].Message, "at least 90 days")
		app.Subject.Province = "SD"
		sd, err := a.domainFindings(context.Background(), app)
		require.NoError(t, err)
		assert.Empty(t, sd, "Shandong asks 45 days (rules data)")
	})
}
