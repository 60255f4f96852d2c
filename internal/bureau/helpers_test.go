package bureau_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
)

// Shorthands for the shared partner test helpers.
var (
	newClock = partnertest.NewClock
	cst      = partnertest.CST
	race     = partnertest.Race
)

// Personal data of the test application; none of it may reach the table.
const (
	leaderName  = "王小明"
	leaderID    = "330106199001011234"
	leaderPhone = "13800138000"
	websiteName = "小明的技术博客"
)

// submission is a Zhejiang new-website submission whose website name carries
// the given markers.
func submission(key, filingID string, smsRequired bool, markers ...string) bureau.Submission {
	name := websiteName
	for _, m := range markers {
		name += m
	}
	leader := filing.Person{Name: leaderName, IDType: filing.CertResidentID, IDNumber: leaderID, Mobile: leaderPhone}
	return bureau.Submission{
		IdempotencyKey:        key,
		FilingID:              filingID,
		Province:              "ZJ",
		FilingType:            string(filing.TypeNewWebsiteElsewhere),
		SMSRequired:           smsRequired,
		ReviewMaxBusinessDays: 30,
		Application: filing.Application{
			Subject: filing.Subject{Province: "ZJ", Name: leaderName, CertificateNumber: leaderID, Leader: leader},
			Websites: []filing.Website{{
				Name: name, Domain: "xiaoming.example.com", ResponsibleSameAsLeader: true,
			}},
		},
	}
}

// recordingListener records pushes and fails the first FailFirst of them.
type recordingListener struct {
	partnertest.Recorder[bureau.Status]
}

func (l *recordingListener) BureauStatusChanged(_ context.Context, e bureau.Status) error {
	return l.Record(e)
}

func (l *recordingListener) states() []bureau.State {
	var out []bureau.State
	for _, e := range l.Events() {
		out = append(out, e.State)
	}
	return out
}

// sandboxAt is a sandbox on db whose clock stands at start and moves only
// when the test moves it.
func sandboxAt(db *store.DB, start time.Time) (*bureau.Sandbox, *partnertest.Clock) {
	clk := newClock(start)
	return bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now}), clk
}

// submitted submits s to sb, which must take it.
func submitted(t *testing.T, sb *bureau.Sandbox, s bureau.Submission) bureau.Receipt {
	t.Helper()
	r, err := sb.Submit(t.Context(), s)
	require.NoError(t, err)
	return r
}

// changesAt checks that the submission moves from before to after exactly
// at, moving clk there.
func changesAt(t *testing.T, sb *bureau.Sandbox, clk *partnertest.Clock, receiptID string, at time.Time, before, after bureau.State) {
	t.Helper()
	clk.Set(at.Add(-time.Millisecond))
	assert.Equal(t, before, status(t, sb, receiptID).State, "a moment before %v", at)
	clk.Set(at)
	assert.Equal(t, after, status(t, sb, receiptID).State, "at %v", at)
}
