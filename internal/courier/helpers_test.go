package courier_test

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/courier"
)

// clock is a fake clock the test sets by hand.
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

// cst is a wall-clock time in China.
func cst(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, calendar.China)
}

// Personal data of the test recipient; none of it may reach the table.
const (
	recipientName   = "李娜"
	recipientMobile = "13700137000"
	street          = "文三路90号东部软件园1号楼"
)

func shipment(key, filingID string) courier.Shipment {
	return courier.Shipment{
		IdempotencyKey: key,
		FilingID:       filingID,
		Recipient:      filing.Person{Name: recipientName, Mobile: recipientMobile},
		Address:        filing.Address{Province: "ZJ", City: "杭州市", District: "西湖区", Detail: street},
	}
}

var errPushRefused = errors.New("listener unavailable")

// recordingListener records pushes and fails the first failFirst of them.
type recordingListener struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	pushed    []courier.Tracking
}

func (l *recordingListener) ShipmentChanged(_ context.Context, t courier.Tracking) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls <= l.failFirst {
		return errPushRefused
	}
	l.pushed = append(l.pushed, t)
	return nil
}

func (l *recordingListener) states() []courier.TrackingState {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []courier.TrackingState
	for _, t := range l.pushed {
		out = append(out, t.State)
	}
	return out
}

func (l *recordingListener) callCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls
}
