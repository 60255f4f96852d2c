package courier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestCourierShipsOnceOverHTTP(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb, clk := sandboxAt(db, cst(2026, 11, 6, 17, 0), 0) // ships Monday 09:00
		srv := &partnertest.Flaky{Next: courier.NewSandboxServer(sb), Spoil: partnertest.FailFirst(2, http.StatusBadGateway)}
		client := courier.NewHTTPClient(partnertest.Serve(t, srv).URL, partnertest.Quick)

		created, err := client.CreateShipment(ctx, shipment("backdrop/f1", "f1"))
		require.NoError(t, err)
		assert.Equal(t, courier.StateCreated, created.State)
		assert.True(t, created.ShippedAt.IsZero())
		assert.Len(t, srv.Bodies(), 3, "two 502s after the sandbox acted, then the tracking")
		recs, err := sb.Shipments(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, recs, 1, "one backdrop")
		assert.Equal(t, recs[0].TrackingNumber, created.TrackingNumber)

		// Only name and mobile of the recipient go to the courier.
		var sent map[string]any
		require.NoError(t, json.Unmarshal([]byte(srv.Bodies()[0]), &sent))
		assert.Equal(t, map[string]any{"name": recipientName, "mobile": recipientMobile}, sent["recipient"])

		clk.Set(cst(2026, 11, 11, 9, 0))
		tr, err := client.Track(ctx, created.TrackingNumber)
		require.NoError(t, err)
		assert.Equal(t, courier.StateDelivered, tr.State)
		assert.True(t, tr.ShippedAt.Equal(cst(2026, 11, 9, 9, 0)))
		assert.True(t, tr.DeliveredAt.Equal(cst(2026, 11, 11, 9, 0)))

		_, err = client.Track(ctx, "SF000000000000")
		assert.ErrorIs(t, err, courier.ErrUnknownShipment)
		_, err = client.CreateShipment(ctx, shipment("backdrop/f1", "f2"))
		assert.ErrorIs(t, err, courier.ErrIdempotencyKeyReused)
	})
}

func TestUndeliverableAddressCodeReachesTheCaller(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := courier.NewSandbox(db, courier.SandboxOptions{})
		srv := &partnertest.Flaky{Next: courier.NewSandboxServer(sb)}
		client := courier.NewHTTPClient(partnertest.Serve(t, srv).URL, partnertest.Quick)

		s := shipment("backdrop/f1", "f1")
		s.Address.Province = "HK"
		s.Address.City = ""
		_, err := client.CreateShipment(ctx, s)
		require.ErrorIs(t, err, courier.ErrUndeliverable)
		var undeliverable *courier.UndeliverableError
		require.ErrorAs(t, err, &undeliverable)
		assert.Equal(t, "f1", undeliverable.FilingID)
		assert.Equal(t, []string{courier.ReasonAddressNotMainland, courier.ReasonAddressCityMissing}, undeliverable.Reasons)
		assert.Len(t, srv.Bodies(), 1, "a business refusal is not retried")
		for _, secret := range []string{recipientName, recipientMobile, street} {
			assert.NotContains(t, err.Error(), secret)
		}

		// A caller bug is not an address problem.
		_, err = client.CreateShipment(ctx, shipment("backdrop/f2", ""))
		require.ErrorIs(t, err, courier.ErrInvalidShipment)
		assert.NotErrorIs(t, err, courier.ErrUndeliverable)

		recs, err := sb.Shipments(ctx, "f1")
		require.NoError(t, err)
		assert.Empty(t, recs, "nothing was shipped")
	})
}

func TestSandboxTimeScaleTravelsInItsHeader(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		requested := cst(2026, 11, 2, 10, 0)   // ships at once
		sb, clk := sandboxAt(db, requested, 0) // real time
		rec := &partnertest.HintRecorder{Next: courier.NewSandboxServer(sb)}
		own := &http.Client{Timeout: 5 * time.Second}
		opts := partnertest.Quick
		opts.Client = own
		client := courier.NewHTTPClient(partnertest.Serve(t, rec).URL, opts)
		assert.Nil(t, own.Transport, "the caller's client is left alone")

		hinted := shipment("backdrop/f1", "f1")
		hinted.SandboxTimeScale = 8640
		fast, err := client.CreateShipment(ctx, hinted)
		require.NoError(t, err)
		// Real time (1) and no hint send no header: real partners never see it.
		var plain []courier.Tracking
		for i, hint := range []float64{0, 1} {
			s := shipment(fmt.Sprintf("backdrop/p%d", i), fmt.Sprintf("p%d", i))
			s.SandboxTimeScale = hint
			tr, err := client.CreateShipment(ctx, s)
			require.NoError(t, err)
			plain = append(plain, tr)
		}
		assert.Equal(t, []string{"POST 8640", "POST ", "POST "}, rec.Sent())

		// The sandbox followed the hint: 48 hours in 20 seconds.
		clk.Set(requested.Add(20 * time.Second))
		tr, err := client.Track(ctx, fast.TrackingNumber)
		require.NoError(t, err)
		assert.Equal(t, courier.StateDelivered, tr.State)
		for _, p := range plain {
			tr, err := client.Track(ctx, p.TrackingNumber)
			require.NoError(t, err)
			assert.Equal(t, courier.StateInTransit, tr.State)
		}
		assert.Equal(t, "GET ", rec.Sent()[len(rec.Sent())-1], "polls carry no hint")
	})
}

func TestSandboxServerRefusesABadTimeScale(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := courier.NewSandbox(db, courier.SandboxOptions{})
		url := partnertest.Serve(t, courier.NewSandboxServer(sb)).URL
		post := func(hint string) (int, string) {
			return partnertest.PostWithHint(t, url+"/shipments", map[string]any{
				"filing_id": "f1",
				"recipient": map[string]string{"name": recipientName, "mobile": recipientMobile},
				"address":   map[string]string{"province": "ZJ", "city": "杭州市", "district": "西湖区", "detail": street},
			}, "backdrop/f1", hint)
		}
		partnertest.RefusesBadHints(t, post)
		recs, err := sb.Shipments(context.Background(), "f1")
		require.NoError(t, err)
		assert.Empty(t, recs, "nothing was shipped")

		status, _ := post("8640")
		assert.Equal(t, http.StatusCreated, status)

		// A courier that refuses the hint refuses the shipment: a caller
		// bug, not retried.
		refusing := &partnertest.Flaky{Next: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":"invalid_time_scale","message":"X-Sandbox-Time-Scale must be a positive number"}`))
		})}
		hinted := shipment("backdrop/f2", "f2")
		hinted.SandboxTimeScale = 8640
		_, err = courier.NewHTTPClient(partnertest.Serve(t, refusing).URL, partnertest.Quick).CreateShipment(context.Background(), hinted)
		require.ErrorIs(t, err, courier.ErrInvalidShipment)
		assert.Contains(t, err.Error(), "HTTP 400 invalid_time_scale")
		assert.Len(t, refusing.Bodies(), 1)
	})
}
