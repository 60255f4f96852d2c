package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/sample"
)

// verifications reads the filing's per-person verifications from its
// state as the API shows it.
func verifications(t testing.TB, st map[string]any) []filing.PersonVerification {
	t.Helper()
	b, err := json.Marshal(st["verifications"])
	require.NoError(t, err)
	var out []filing.PersonVerification
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// secondWebsite is the sample's academy, 李娜 its responsible person, on
// domain, with the first website's content (no pre-approval to attach).
func secondWebsite(s *scenario, domain string) filing.Website {
	w := sample.ValidApplication().Websites[1]
	w.Domain, w.HomepageURL = domain, "https://www."+domain+"/"
	w.ContentTypes, w.PreApprovals = s.app.Websites[0].ContentTypes, nil
	return w
}

// waitingFor waits until the filing is in stage and step and says it waits
// for something that mentions what: one person's turn follows another's in
// the same step.
func (s *scenario) waitingFor(stage filing.Stage, step filing.Step, what string) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		st := s.wait(stage, step)
		if w, _ := st["waiting_for"].(string); strings.Contains(w, what) {
			return st
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("filing %s never waited for %q; last: %v", s.id, what, st["waiting_for"])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// photoApprovedFor hands in a photo of person and has the reviewer
// approve it.
func (s *scenario) photoApprovedFor(person string) {
	s.t.Helper()
	s.photoFor(person)
	s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
}

// photoFor uploads a photo and hands it in for person.
func (s *scenario) photoFor(person string) {
	s.t.Helper()
	var m map[string]any
	require.NoError(s.t, json.Unmarshal([]byte(photoAt(s.t, s.base, s.id)), &m))
	m["person"] = person
	b, err := json.Marshal(m)
	require.NoError(s.t, err)
	s.ok("/photo", string(b))
}

// The seed photographs every website responsible person. A filing with two
// websites and two responsible persons has both verified in front of one
// backdrop; the bureau then rejects it, the applicant names a new
// responsible person for the second website, and only that person is
// verified again.
func TestEveryResponsiblePersonIsVerifiedAndAReplacedOneAnewOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-people.com", "云栖科技官网"+bureau.MarkerReject)
	academy := secondWebsite(s, "yunqi-people-academy.com")
	s.app.Websites = append(s.app.Websites, academy)
	s.save()
	s.attachDemanded()
	s.throughInitialReview()

	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	s.ok("/mailing-address", `{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"ZJ","city":"杭州市","detail":"文三路90号"}}`)
	st := s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
	people := verifications(t, st)
	require.Len(t, people, 2)
	assert.Equal(t, []string{"yunqi-people.com"}, people[0].Websites)
	assert.Equal(t, []string{"yunqi-people-academy.com"}, people[1].Websites)
	assert.Contains(t, st["waiting_for"], "(person 1 of 2)")
	raw, _ := json.Marshal(st)
	for _, secret := range []string{"张伟", "李娜", sample.LeaderID, sample.ResponsibleID} {
		assert.NotContains(t, string(raw), secret, "the state names persons by key only")
	}

	// A photo handed in for the person not yet due is refused.
	var wrong map[string]any
	require.NoError(t, json.Unmarshal([]byte(photoAt(t, s.base, s.id)), &wrong))
	wrong["person"] = people[1].Person
	b, _ := json.Marshal(wrong)
	res := doAt(t, s.base, http.MethodPost, s.path("/photo"), "application/json", string(b))
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "invalid_action", res.Body["code"])

	s.photoApprovedFor(people[0].Person)
	s.waitingFor(filing.StagePhotoVerification, filing.StepAwaitingPhoto, "yunqi-people-academy.com (person 2 of 2)")
	s.photoApprovedFor(people[1].Person)

	// The bureau rejects; the academy gets a new responsible person.
	s.returnedBy("bureau")
	s.app.Websites[0].Name = "云栖科技官网"
	s.app.Websites[1].Responsible = filing.Person{Name: "王芳", IDType: filing.CertResidentID,
		IDNumber: sample.ResidentID("330106", "19880321", "128"), Mobile: "13700137002", Email: "wang.fang@yunqi-tech.com"}
	s.save()
	s.throughInitialReview()
	st = s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
	again := verifications(t, st)
	require.Len(t, again, 2)
	assert.Equal(t, people[0].Person, again[0].Person)
	assert.True(t, again[0].Verified(), "the leader's verification stands")
	assert.NotEqual(t, people[1].Person, again[1].Person, "a new person")
	assert.False(t, again[1].Verified())
	s.photoApprovedFor(again[1].Person)
	s.wait(filing.StageApproved, filing.StepNone)

	final := s.result()
	require.Len(t, final.Verifications, 2)
	assert.Equal(t, 1, final.Verifications[0].Rounds)
	assert.Equal(t, 1, final.Verifications[1].Rounds)
	ships, err := sys.app.World.CourierSandbox.Shipments(context.Background(), s.id)
	require.NoError(t, err)
	assert.Len(t, ships, 1, "one backdrop for everyone")
	recordHistory(t, s.id, "responsible_person_replaced")
}

// In Shanghai each responsible person verifies in the bureau's app.
func TestInShanghaiEachResponsiblePersonVerifiesInTheAppOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "SH", "yunqi-sh-people.com", "云栖科技官网")
	academy := secondWebsite(s, "yunqi-sh-academy.com")
	s.app.Websites = append(s.app.Websites, academy)
	s.save()
	s.attachDemanded()
	s.throughInitialReview()
	st := s.wait(filing.StagePhotoVerification, filing.StepAwaitingAppVerification)
	people := verifications(t, st)
	require.Len(t, people, 2)
	s.ok("/verification-result", `{"person":"`+people[0].Person+`","passed":true}`)
	s.waitingFor(filing.StagePhotoVerification, filing.StepAwaitingAppVerification, "yunqi-sh-academy.com (person 2 of 2)")
	s.ok("/verification-result", `{"person":"`+people[1].Person+`","passed":true}`)
	s.wait(filing.StageApproved, filing.StepNone)
	final := s.result()
	require.Len(t, final.Verifications, 2)
	assert.True(t, final.Verifications[0].Verified())
	assert.True(t, final.Verifications[1].Verified())
}
