package activities

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
)

// Each distinct responsible person is verified once, for all the websites
// they answer for; the workflow sees a key, never the person.
func TestResponsiblePersonsAreOnePerPersonUnderAnOpaqueKey(t *testing.T) {
	a := &Activities{IdentitySecret: []byte("a-secret-of-sixteen")}
	app := sample.ValidApplication()
	leader := app.Subject.Leader
	li := filing.Person{Name: "李娜", IDType: filing.CertResidentID, IDNumber: "110101199003074514", Mobile: "13600136000"}
	app.Websites = []filing.Website{
		{Domain: "a.example.com", ResponsibleSameAsLeader: true},
		{Domain: "b.example.com", Responsible: li},
		{Domain: "C.Example.com", Responsible: leader}, // the leader named again
		{Domain: "中文.example.com", Responsible: li},
	}
	got := a.responsiblePersons("f-1", app)
	require.Len(t, got, 2)
	assert.Equal(t, []string{"a.example.com", "c.example.com"}, got[0].Websites)
	assert.Equal(t, []string{"b.example.com", "xn--fiq228c.example.com"}, got[1].Websites)
	for _, p := range got {
		assert.True(t, strings.HasPrefix(p.Person, "rp-"), p.Person)
		for _, secret := range []string{leader.Name, leader.IDNumber, li.Name, li.IDNumber, li.Mobile} {
			assert.NotContains(t, p.Person, secret)
		}
	}

	t.Run("a new phone number is the same person", func(t *testing.T) {
		moved := app
		moved.Websites = append([]filing.Website(nil), app.Websites...)
		moved.Websites[1].Responsible.Mobile = "13900139000"
		assert.Equal(t, got[1].Person, a.responsiblePersons("f-1", moved)[1].Person)
	})
	t.Run("another person is another key", func(t *testing.T) {
		other := app
		other.Websites = append([]filing.Website(nil), app.Websites[:2]...)
		other.Websites[1].Responsible = filing.Person{Name: "王芳", IDType: filing.CertResidentID, IDNumber: "110101198506151227"}
		assert.NotEqual(t, got[1].Person, a.responsiblePersons("f-1", other)[1].Person)
	})
	t.Run("keys of one person in two filings cannot be linked", func(t *testing.T) {
		assert.NotEqual(t, got[0].Person, a.responsiblePersons("f-2", app)[0].Person)
	})
}
