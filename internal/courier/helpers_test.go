package courier_test

import (
	"context"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
)

// Shorthands for the shared partner test helpers.
var (
	newClock = partnertest.NewClock
	cst      = partnertest.CST
)

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

// recordingListener records pushes and fails the first FailFirst of them.
type recordingListener struct {
	partnertest.Recorder[courier.Tracking]
}

func (l *recordingListener) ShipmentChanged(_ context.Context, e courier.Tracking) error {
	return l.Record(e)
}

func (l *recordingListener) states() []courier.TrackingState {
	var out []courier.TrackingState
	for _, e := range l.Events() {
		out = append(out, e.State)
	}
	return out
}

// sandboxAt is a sandbox courier on db at the given time scale (0 for real
// time) whose clock stands at start and moves only when the test moves it.
func sandboxAt(db *store.DB, start time.Time, scale float64) (*courier.Sandbox, *partnertest.Clock) {
	clk := newClock(start)
	return courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now, TimeScale: scale}), clk
}
