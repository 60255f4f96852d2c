package bureau_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/store"
)

// clock is a fake clock the test advances by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// cst is a wall-clock time in China.
func cst(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, calendar.China)
}

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

// recordingListener records pushes and fails the first failFirst of them.
type recordingListener struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	pushed    []bureau.Status
}

func (l *recordingListener) BureauStatusChanged(_ context.Context, st bureau.Status) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls <= l.failFirst {
		return errPushRefused
	}
	l.pushed = append(l.pushed, st)
	return nil
}

func (l *recordingListener) states() []bureau.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []bureau.State
	for _, st := range l.pushed {
		out = append(out, st.State)
	}
	return out
}

func (l *recordingListener) callCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls
}

// race runs fn(0..n-1) in goroutines released together. On PostgreSQL it
// first opens n connections so that connection setup does not serialise
// the racers.
func race(t *testing.T, db *store.DB, n int, fn func(i int)) {
	t.Helper()
	var wg sync.WaitGroup
	if db.Dialect == store.Postgres {
		for range n {
			wg.Go(func() { assert.NoError(t, db.Gorm.Exec("SELECT pg_sleep(0.05)").Error) })
		}
		wg.Wait()
	}
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}
