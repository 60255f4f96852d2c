package activities

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/sample"
)

// For 新增网站 MIIT texts its code to each website's responsible person;
// everything else goes to the applicant's contact, the subject leader.
func TestSMSVerificationNoticesGoToThePeopleMIITTexts(t *testing.T) {
	app := sample.ValidApplication()
	leader := app.Subject.Leader
	other := filing.Person{Name: "李娜", Mobile: "13600136000", Email: "li.na@example.com"}
	app.Websites = []filing.Website{
		{Domain: "a.example.com", ResponsibleSameAsLeader: true},
		{Domain: "b.example.com", Responsible: other},
		{Domain: "c.example.com", Responsible: other}, // the same phone counts once
	}
	for _, event := range []string{notify.EventSMSVerificationNeeded, notify.EventSMSVerificationReturned} {
		assert.Equal(t, []filing.Person{leader, other}, recipients(app, event), event)
	}
	assert.Equal(t, []filing.Person{leader}, recipients(app, notify.EventBureauSubmitted))

	app.Websites = []filing.Website{{Domain: "a.example.com", Responsible: other}}
	assert.Equal(t, []filing.Person{other}, recipients(app, notify.EventSMSVerificationNeeded),
		"a website whose responsible person is not the leader: the leader gets no code")
}
