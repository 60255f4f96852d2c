package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/webhook"
)

var (
	secret = []byte("shared-test-secret")
	quiet  = slog.New(slog.DiscardHandler)
	// now is the receiver's clock in the tests that fix it.
	now = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
)

// listener records what reaches beianflow, from the bureau and the courier
// in one sequence, and fails the first FailFirst deliveries, like a
// Temporal outage would.
type listener struct{ partnertest.Recorder[any] }

func (l *listener) BureauStatusChanged(_ context.Context, st bureau.Status) error {
	return l.Record(st)
}

func (l *listener) ShipmentChanged(_ context.Context, t courier.Tracking) error { return l.Record(t) }

// statuses and trackings are the bureau's and the courier's events taken.
func (l *listener) statuses() []bureau.Status     { return eventsOf[bureau.Status](l) }
func (l *listener) trackings() []courier.Tracking { return eventsOf[courier.Tracking](l) }

func eventsOf[E any](l *listener) []E {
	var out []E
	for _, e := range l.Events() {
		if x, ok := e.(E); ok {
			out = append(out, x)
		}
	}
	return out
}

func (l *listener) bureauStates() []bureau.State {
	var out []bureau.State
	for _, st := range l.statuses() {
		out = append(out, st.State)
	}
	return out
}

func (l *listener) courierStates() []courier.TrackingState {
	var out []courier.TrackingState
	for _, t := range l.trackings() {
		out = append(out, t.State)
	}
	return out
}

func (l *listener) delivered() int { return len(l.Events()) }

// receiver is beianflow's side: both webhook endpoints over one verifier,
// as the API mounts them.
func receiver(t *testing.T, v *webhook.Verifier, l *listener) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("POST "+webhook.BureauPath, webhook.Handler(v, webhook.SourceBureau, webhook.DeliverBureau(l), quiet))
	mux.Handle("POST "+webhook.CourierPath, webhook.Handler(v, webhook.SourceCourier, webhook.DeliverCourier(l), quiet))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// signed is a hand-made webhook request, for what Sender would never send.
type signed struct {
	ts         int64
	deliveryID string
	body       []byte
	signature  string
}

func sign(ts time.Time, deliveryID string, body []byte) signed {
	return signed{ts: ts.Unix(), deliveryID: deliveryID, body: body,
		signature: webhook.Sign(secret, ts.Unix(), deliveryID, body)}
}

// post sends the request to the bureau endpoint and returns the status and
// error code.
func (s signed) post(t *testing.T, srv *httptest.Server) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+webhook.BureauPath, bytes.NewReader(s.body))
	require.NoError(t, err)
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(s.ts, 10))
	req.Header.Set(webhook.HeaderDelivery, s.deliveryID)
	req.Header.Set(webhook.HeaderSignature, s.signature)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e struct{ Code string }
	_ = json.Unmarshal(body, &e)
	return resp.StatusCode, e.Code
}

// approved is a bureau decision as the bureau pushes it.
func approved(receiptID string) bureau.Status {
	return bureau.Status{
		ReceiptID: receiptID, FilingID: "f1", State: bureau.StateApproved,
		FilingNumber: "浙ICP备26012345号-1", UpdatedAt: now,
	}
}

func statusJSON(t *testing.T, st bureau.Status) []byte {
	t.Helper()
	b, err := json.Marshal(st)
	require.NoError(t, err)
	return b
}

// deliveries counts the recorded deliveries.
func deliveries(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Gorm.Table("webhook_deliveries").Count(&n).Error)
	return n
}
