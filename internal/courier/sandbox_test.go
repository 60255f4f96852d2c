package courier_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func track(t *testing.T, sb *courier.Sandbox, number string) courier.Tracking {
	t.Helper()
	tr, err := sb.Track(context.Background(), number)
	require.NoError(t, err)
	return tr
}

func TestShipsSameDayBefore1600OnABusinessDayElseNextMorning(t *testing.T) {
	cases := []struct {
		name               string
		requested, shipped time.Time
	}{
		{"business day afternoon", cst(2026, 11, 2, 15, 59), cst(2026, 11, 2, 15, 59)},
		{"business day early morning", cst(2026, 11, 2, 7, 30), cst(2026, 11, 2, 9, 0)},
		{"at the cut-off", cst(2026, 11, 2, 16, 0), cst(2026, 11, 3, 9, 0)},
		{"Friday evening", cst(2026, 11, 6, 16, 30), cst(2026, 11, 9, 9, 0)},
		{"Sunday", cst(2026, 11, 8, 11, 0), cst(2026, 11, 9, 9, 0)},
		{"eve of National Day", cst(2026, 9, 30, 17, 0), cst(2026, 10, 8, 9, 0)},
		{"make-up Saturday", cst(2026, 10, 10, 10, 0), cst(2026, 10, 10, 10, 0)},
	}
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, c := range cases {
			sb, clk := sandboxAt(db, c.requested, 0)
			created, err := sb.CreateShipment(ctx, shipment(fmt.Sprintf("k%d", i), "f1"))
			require.NoError(t, err, c.name)
			if c.shipped.Equal(c.requested) {
				assert.Equal(t, courier.StateInTransit, created.State, c.name)
			} else {
				assert.Equal(t, courier.StateCreated, created.State, c.name)
				assert.True(t, created.ShippedAt.IsZero(), "%s: not shipped yet", c.name)
				clk.Set(c.shipped.Add(-time.Second))
				assert.Equal(t, courier.StateCreated, track(t, sb, created.TrackingNumber).State, c.name)
			}
			clk.Set(c.shipped)
			tr := track(t, sb, created.TrackingNumber)
			assert.Equal(t, courier.StateInTransit, tr.State, c.name)
			assert.True(t, tr.ShippedAt.Equal(c.shipped), "%s: shipped at %v", c.name, tr.ShippedAt.In(c.shipped.Location()))
			assert.True(t, tr.DeliveredAt.IsZero(), c.name)

			// Delivery two calendar days after shipping, weekend or not.
			delivered := c.shipped.Add(48 * time.Hour)
			clk.Set(delivered.Add(-time.Second))
			assert.Equal(t, courier.StateInTransit, track(t, sb, created.TrackingNumber).State, c.name)
			clk.Set(delivered)
			tr = track(t, sb, created.TrackingNumber)
			assert.Equal(t, courier.StateDelivered, tr.State, c.name)
			assert.True(t, tr.DeliveredAt.Equal(delivered), c.name)
			assert.True(t, tr.ShippedAt.Equal(c.shipped), c.name)
		}
	})
}

func TestRepeatedKeyReturnsTheSameShipment(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb, clk := sandboxAt(db, cst(2026, 11, 2, 17, 0), 0)
		first, err := sb.CreateShipment(ctx, shipment("backdrop/f1", "f1"))
		require.NoError(t, err)
		assert.Regexp(t, `^SF\d{12}$`, first.TrackingNumber)
		assert.Equal(t, "f1", first.FilingID)

		// A retry the next day, from a restarted sandbox, sees the original.
		clk.Set(cst(2026, 11, 3, 10, 0))
		again, err := courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now}).
			CreateShipment(ctx, shipment("backdrop/f1", "f1"))
		require.NoError(t, err)
		assert.Equal(t, first.TrackingNumber, again.TrackingNumber)
		assert.True(t, again.ShippedAt.Equal(cst(2026, 11, 3, 9, 0)), "the original schedule")

		// Another key is another parcel.
		other, err := sb.CreateShipment(ctx, shipment("backdrop/f1/again", "f1"))
		require.NoError(t, err)
		assert.NotEqual(t, first.TrackingNumber, other.TrackingNumber)
		recs, err := sb.Shipments(ctx, "f1")
		require.NoError(t, err)
		assert.Len(t, recs, 2)

		_, err = sb.CreateShipment(ctx, shipment("backdrop/f1", "f2"))
		assert.ErrorIs(t, err, courier.ErrIdempotencyKeyReused)
	})
}

func TestConcurrentCreateShipmentWithOneKeyShipsOnce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const racers = 8
		warmPool(t, db, racers)
		clk := newClock(cst(2026, 11, 2, 10, 0))
		for round := range 10 {
			filingID := fmt.Sprintf("f%d", round)
			// Separate sandboxes, as separate workers would have, released
			// together so their reads and inserts interleave.
			start := make(chan struct{})
			var wg sync.WaitGroup
			got := make([]courier.Tracking, racers)
			errs := make([]error, racers)
			for i := range got {
				sb := courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now})
				wg.Go(func() {
					<-start
					got[i], errs[i] = sb.CreateShipment(ctx, shipment("backdrop/"+filingID, filingID))
				})
			}
			close(start)
			wg.Wait()
			for i := range got {
				require.NoError(t, errs[i])
				assert.Equal(t, got[0].TrackingNumber, got[i].TrackingNumber)
			}
			recs, err := courier.NewSandbox(db, courier.SandboxOptions{}).Shipments(ctx, filingID)
			require.NoError(t, err)
			assert.Len(t, recs, 1, "one backdrop in the mail")
		}
	})
}

// warmPool opens n connections up front (on PostgreSQL; SQLite has one), so
// that racing goroutines are not serialised by connection setup.
func warmPool(t *testing.T, db *store.DB, n int) {
	t.Helper()
	if db.Dialect != store.Postgres {
		return
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { assert.NoError(t, db.Gorm.Exec("SELECT pg_sleep(0.05)").Error) })
	}
	wg.Wait()
}

func TestUndeliverableAddressIsRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := courier.NewSandbox(db, courier.SandboxOptions{})
		cases := map[string]func(*courier.Shipment){
			"Hong Kong":        func(s *courier.Shipment) { s.Address.Province = "HK" },
			"Taiwan":           func(s *courier.Shipment) { s.Address.Province = "TW" },
			"no province":      func(s *courier.Shipment) { s.Address.Province = "" },
			"no city":          func(s *courier.Shipment) { s.Address.City = "" },
			"no detail":        func(s *courier.Shipment) { s.Address.Detail = "  " },
			"no mobile":        func(s *courier.Shipment) { s.Recipient.Mobile = "" },
			"no name":          func(s *courier.Shipment) { s.Recipient.Name = "" },
			"everything wrong": func(s *courier.Shipment) { *s = courier.Shipment{IdempotencyKey: "k", FilingID: "f1"} },
		}
		for name, spoil := range cases {
			s := shipment("k-"+name, "f1")
			spoil(&s)
			_, err := sb.CreateShipment(ctx, s)
			require.ErrorIs(t, err, courier.ErrUndeliverable, name)
			for _, secret := range []string{recipientName, recipientMobile, street} {
				assert.NotContains(t, err.Error(), secret, name)
			}
		}
		for name, s := range map[string]courier.Shipment{"no key": shipment("", "f1"), "no filing": shipment("k", "")} {
			_, err := sb.CreateShipment(ctx, s)
			assert.ErrorIs(t, err, courier.ErrInvalidShipment, name)
		}
		recs, err := sb.Shipments(ctx, "f1")
		require.NoError(t, err)
		assert.Empty(t, recs, "nothing was shipped")
	})
}

func TestTimeScaleCompressesEveryDelay(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Friday 16:30: the real rule ships Monday 09:00, 64.5 hours later;
		// at one minute per day that is 161.25 s, and delivery 2 minutes after.
		requested := cst(2026, 11, 6, 16, 30)
		sb, clk := sandboxAt(db, requested, 1440)
		created, err := sb.CreateShipment(ctx, shipment("k1", "f1"))
		require.NoError(t, err)

		shipped := requested.Add(161250 * time.Millisecond)
		shipsThenDelivers(t, sb, clk, created.TrackingNumber, shipped, shipped.Add(2*time.Minute))
	})
}

func TestTrackingAnUnknownShipmentFails(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		_, err := courier.NewSandbox(db, courier.SandboxOptions{}).Track(context.Background(), "SF000000000000")
		assert.ErrorIs(t, err, courier.ErrUnknownShipment)
	})
}

func TestNoPersonalDataIsStored(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := courier.NewSandbox(db, courier.SandboxOptions{Now: newClock(cst(2026, 11, 2, 10, 0)).Now})
		_, err := sb.CreateShipment(context.Background(), shipment("k1", "f1"))
		require.NoError(t, err)
		var rows []map[string]any
		require.NoError(t, db.Gorm.Table("sandbox_shipments").Find(&rows).Error)
		require.Len(t, rows, 1)
		for col, v := range rows[0] {
			for _, secret := range []string{recipientName, recipientMobile, street, "杭州"} {
				assert.NotContains(t, fmt.Sprint(v), secret, "column %s", col)
			}
		}
	})
}

func TestShipmentsOwnTimeScaleDeliversItSooner(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Friday 16:30: the real rule ships Monday 09:00, 64.5 hours later,
		// and delivers 48 hours after that.
		requested := cst(2026, 11, 6, 16, 30)
		sb, clk := sandboxAt(db, requested, 1440)
		plain, fast := plainAndHinted(t, sb, 8640)

		// 8640× instead of the sandbox's 1440×: ships after 26.875 s,
		// delivers 20 s later.
		shipped := requested.Add(26875 * time.Millisecond)
		delivered := shipped.Add(20 * time.Second)
		tr := shipsThenDelivers(t, sb, clk, fast.TrackingNumber, shipped, delivered)
		assert.Equal(t, courier.StateCreated, track(t, sb, plain.TrackingNumber).State, "the shipment without hint keeps the sandbox's scale")

		// The one without hint, at 1440×, arrives 8640/1440 = 6 times later.
		clk.Set(requested.Add(6 * delivered.Sub(requested)))
		slow := track(t, sb, plain.TrackingNumber)
		require.Equal(t, courier.StateDelivered, slow.State)
		ratio := float64(slow.DeliveredAt.Sub(requested)) / float64(tr.DeliveredAt.Sub(requested))
		assert.InEpsilon(t, 6, ratio, 1e-6)

		// The schedule is fixed on creation: a retry without the hint, or a
		// sandbox restarted with another scale, changes nothing.
		restarted := courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now})
		again, err := restarted.CreateShipment(ctx, shipment("k2", "f2"))
		require.NoError(t, err)
		assert.Equal(t, tr, again)

		// A hint that is no positive number is no hint.
		for i, hint := range []float64{-8640, math.NaN(), math.Inf(1)} {
			clk.Set(requested)
			s := shipment(fmt.Sprintf("k-ignored-%d", i), fmt.Sprintf("f-ignored-%d", i))
			s.SandboxTimeScale = hint
			created, err := sb.CreateShipment(ctx, s)
			require.NoError(t, err)
			clk.Set(delivered)
			assert.Equal(t, courier.StateCreated, track(t, sb, created.TrackingNumber).State, hint)
		}
	})
}

func TestShipmentsOwnTimeScaleAgainstRealTime(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		requested := cst(2026, 11, 2, 10, 0)   // ships at once
		sb, clk := sandboxAt(db, requested, 0) // real time
		plain, fast := plainAndHinted(t, sb, 8640)

		clk.Set(requested.Add(20 * time.Second)) // 48 hours at 8640×
		assert.Equal(t, courier.StateDelivered, track(t, sb, fast.TrackingNumber).State)
		assert.Equal(t, courier.StateInTransit, track(t, sb, plain.TrackingNumber).State)
		clk.Set(requested.Add(48 * time.Hour))
		assert.Equal(t, courier.StateDelivered, track(t, sb, plain.TrackingNumber).State, "8640 times later")
	})
}

// The push: the sandbox plays the partner's webhook.

func TestPushesShipmentChangesAndRetriesFailedPushes(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		requested := cst(2026, 11, 6, 17, 0) // ships Monday 09:00
		sb, clk := sandboxAt(db, requested, 0)
		created, err := sb.CreateShipment(ctx, shipment("k1", "f1"))
		require.NoError(t, err)

		l := &recordingListener{partnertest.Recorder[courier.Tracking]{FailFirst: 2}}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sb.Run(runCtx, l, 5*time.Millisecond) }()
		t.Cleanup(func() {
			stop()
			assert.NoError(t, <-done)
		})
		require.Eventually(t, func() bool { return len(l.states()) == 1 }, 5*time.Second, time.Millisecond,
			"the failed pushes are retried")
		assert.Equal(t, 3, l.Calls())

		clk.Set(cst(2026, 11, 9, 9, 0))
		require.Eventually(t, func() bool { return len(l.states()) == 2 }, 5*time.Second, time.Millisecond)
		clk.Set(cst(2026, 11, 11, 9, 0))
		require.Eventually(t, func() bool { return len(l.states()) == 3 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []courier.TrackingState{courier.StateCreated, courier.StateInTransit, courier.StateDelivered}, l.states())
		assert.Equal(t, created.TrackingNumber, l.Events()[2].TrackingNumber)
		assert.True(t, l.Events()[2].DeliveredAt.Equal(cst(2026, 11, 11, 9, 0)))

		// Delivered being final, nothing more is pushed.
		l.PushesSettle(t, "the delivered push is recorded", func() bool {
			recs, err := sb.Shipments(ctx, "f1")
			return err == nil && len(recs) > 0 && recs[0].LastPushedState == courier.StateDelivered
		})
	})
}

func TestRunNeedsAListenerAndAnInterval(t *testing.T) {
	sb := courier.NewSandbox(nil, courier.SandboxOptions{})
	assert.Error(t, sb.Run(context.Background(), nil, time.Second))
	assert.Error(t, sb.Run(context.Background(), &recordingListener{}, 0))
}

// shipsThenDelivers checks that the shipment ships exactly at shipped and
// arrives exactly at delivered, moving clk there, and returns its tracking
// on arrival.
func shipsThenDelivers(t *testing.T, sb *courier.Sandbox, clk *partnertest.Clock, number string, shipped, delivered time.Time) courier.Tracking {
	t.Helper()
	clk.Set(shipped.Add(-time.Millisecond))
	assert.Equal(t, courier.StateCreated, track(t, sb, number).State, "a moment before it ships")
	clk.Set(shipped)
	assert.Equal(t, courier.StateInTransit, track(t, sb, number).State, "when it ships")
	clk.Set(delivered.Add(-time.Millisecond))
	assert.Equal(t, courier.StateInTransit, track(t, sb, number).State, "a moment before it arrives")
	clk.Set(delivered)
	tr := track(t, sb, number)
	assert.Equal(t, courier.StateDelivered, tr.State, "when it arrives")
	assert.True(t, tr.DeliveredAt.Equal(delivered), "delivered at %v", tr.DeliveredAt)
	return tr
}

// plainAndHinted creates two shipments on sb: k1 for f1 without a time
// scale of its own, and k2 for f2 with the hint scale.
func plainAndHinted(t *testing.T, sb *courier.Sandbox, scale float64) (plain, hinted courier.Tracking) {
	t.Helper()
	plain, err := sb.CreateShipment(t.Context(), shipment("k1", "f1"))
	require.NoError(t, err)
	s := shipment("k2", "f2")
	s.SandboxTimeScale = scale
	hinted, err = sb.CreateShipment(t.Context(), s)
	require.NoError(t, err)
	return plain, hinted
}
