package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/webhook"
)

func TestSignedWebhookIsAccepted(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := &listener{}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Seen: webhook.NewDBStore(db)}, l)
		sender := &webhook.Sender{URL: srv.URL + "/", Secret: secret, Client: srv.Client()}

		st := approved("SBX-1")
		st.Reasons = nil
		require.NoError(t, sender.BureauStatusChanged(context.Background(), st))
		require.Len(t, l.statuses(), 1)
		got := l.statuses()[0]
		assert.True(t, got.UpdatedAt.Equal(st.UpdatedAt))
		got.UpdatedAt = st.UpdatedAt
		assert.Equal(t, st, got, "the status arrives as sent")

		var rows []map[string]any
		require.NoError(t, db.Gorm.Table("webhook_deliveries").Find(&rows).Error)
		require.Len(t, rows, 1)
		assert.Equal(t, webhook.SourceBureau, rows[0]["source"])
	})
}

func TestBadSignatureIsRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := &listener{}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Now: func() time.Time { return now }, Seen: webhook.NewDBStore(db)}, l)
		body := statusJSON(t, approved("SBX-1"))
		good := sign(now, "d-1", body)
		status, _ := good.post(t, srv)
		require.Equal(t, http.StatusNoContent, status, "the unspoiled request is accepted")

		cases := map[string]func(s *signed){
			"other secret": func(s *signed) {
				s.signature = webhook.Sign([]byte("someone else's"), s.ts, s.deliveryID, s.body)
			},
			"tampered body":      func(s *signed) { s.body = []byte(`{"receipt_id":"SBX-2","filing_id":"f2","state":"approved"}`) },
			"other delivery ID":  func(s *signed) { s.deliveryID = "d-3" },
			"re-dated":           func(s *signed) { s.ts++ },
			"no signature":       func(s *signed) { s.signature = "" },
			"not sha256":         func(s *signed) { s.signature = "sha1=" + s.signature[len("sha256="):] },
			"not hex":            func(s *signed) { s.signature = "sha256=zz" },
			"no delivery ID":     func(s *signed) { *s = sign(now, "", s.body) },
			"dot in delivery ID": func(s *signed) { *s = sign(now, "d.2", s.body) },
		}
		for name, spoil := range cases {
			s := sign(now, "d-2", body)
			spoil(&s)
			status, code := s.post(t, srv)
			assert.Equal(t, http.StatusUnauthorized, status, name)
			assert.Equal(t, webhook.CodeBadSignature, code, name)
		}
		assert.Equal(t, 1, l.delivered(), "nothing refused was delivered")
		assert.EqualValues(t, 1, deliveries(t, db), "nor recorded")

		// Sender with the wrong secret learns why.
		err := (&webhook.Sender{URL: srv.URL, Secret: []byte("wrong")}).BureauStatusChanged(context.Background(), approved("SBX-3"))
		var refused *webhook.RefusedError
		require.ErrorAs(t, err, &refused)
		assert.Equal(t, webhook.RefusedError{Status: http.StatusUnauthorized, Code: webhook.CodeBadSignature}, *refused)

		// A verifier without a secret accepts nothing.
		open := receiver(t, &webhook.Verifier{Seen: webhook.NewDBStore(db)}, l)
		unsigned := signed{ts: time.Now().Unix(), deliveryID: "d-4", body: body, signature: webhook.Sign(nil, time.Now().Unix(), "d-4", body)}
		status, _ = unsigned.post(t, open)
		assert.Equal(t, http.StatusServiceUnavailable, status)
		assert.Equal(t, 1, l.delivered())
	})
}

func TestStaleTimestampIsRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := &listener{}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Now: func() time.Time { return now }, Seen: webhook.NewDBStore(db)}, l)
		body := statusJSON(t, approved("SBX-1"))
		for i, c := range []struct {
			name string
			sent time.Time
		}{
			{"six minutes old", now.Add(-6 * time.Minute)},
			{"six minutes in the future", now.Add(6 * time.Minute)},
			{"one second past the window", now.Add(-webhook.DefaultWindow - time.Second)},
		} {
			status, code := sign(c.sent, fmt.Sprintf("stale-%d", i), body).post(t, srv)
			assert.Equal(t, http.StatusUnauthorized, status, c.name)
			assert.Equal(t, webhook.CodeStaleTimestamp, code, c.name)
		}
		assert.Zero(t, l.delivered())

		for i, sent := range []time.Time{now.Add(-webhook.DefaultWindow), now.Add(4 * time.Minute)} {
			status, _ := sign(sent, fmt.Sprintf("fresh-%d", i), body).post(t, srv)
			assert.Equal(t, http.StatusNoContent, status, "at the edge of the window, either way")
		}

		// A narrower window is honoured.
		narrow := receiver(t, &webhook.Verifier{Secret: secret, Window: time.Minute, Now: func() time.Time { return now }, Seen: webhook.NewDBStore(db)}, l)
		status, code := sign(now.Add(-2*time.Minute), "d-narrow", body).post(t, narrow)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, webhook.CodeStaleTimestamp, code)
	})
}

func TestReplayedDeliveryIsRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := &listener{}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Now: func() time.Time { return now }, Seen: webhook.NewDBStore(db)}, l)
		captured := sign(now, "d-1", statusJSON(t, approved("SBX-1")))
		status, _ := captured.post(t, srv)
		require.Equal(t, http.StatusNoContent, status)

		status, code := captured.post(t, srv)
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, webhook.CodeReplayedDelivery, code)
		// Re-signed later, still within the window: still the same delivery.
		status, code = sign(now.Add(time.Minute), "d-1", captured.body).post(t, srv)
		assert.Equal(t, http.StatusConflict, status)
		assert.Equal(t, webhook.CodeReplayedDelivery, code)
		assert.Equal(t, 1, l.delivered())
	})
}

func TestFailedDeliveryCanBeRetriedBySender(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := &listener{partnertest.Recorder[any]{FailFirst: 1}}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Seen: webhook.NewDBStore(db)}, l)
		sender := &webhook.Sender{URL: srv.URL, Secret: secret}
		st := approved("SBX-1")

		err := sender.BureauStatusChanged(ctx, st)
		var refused *webhook.RefusedError
		require.ErrorAs(t, err, &refused, "Temporal was down")
		assert.Equal(t, webhook.RefusedError{Status: http.StatusServiceUnavailable, Code: webhook.CodeUnavailable}, *refused)
		assert.Zero(t, deliveries(t, db), "a failed delivery is not recorded")

		// The push is repeated under the same delivery ID and goes through.
		require.NoError(t, sender.BureauStatusChanged(ctx, st))
		assert.Equal(t, []bureau.State{bureau.StateApproved}, l.bureauStates())
		assert.EqualValues(t, 1, deliveries(t, db))

		// Repeated once more (the sandbox lost our answer): the receiver
		// says it has it already, and the sender counts that as delivered.
		require.NoError(t, sender.BureauStatusChanged(ctx, st))
		assert.Equal(t, []bureau.State{bureau.StateApproved}, l.bureauStates(), "delivered once")

		// A body that is no status is refused for good, and not recorded.
		for name, body := range map[string]string{"not JSON": `{"receipt_id":`, "no state": `{"receipt_id":"SBX-2","filing_id":"f2"}`} {
			status, code := sign(time.Now(), "d-"+strings.ReplaceAll(name, " ", "-"), []byte(body)).post(t, srv)
			assert.Equal(t, http.StatusBadRequest, status, name)
			assert.Equal(t, webhook.CodeInvalidPayload, code, name)
		}
		assert.EqualValues(t, 1, deliveries(t, db))
	})
}

func TestOversizedBodyIsRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := &listener{}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Seen: webhook.NewDBStore(db)}, l)
		body := make([]byte, webhook.MaxBodyBytes+1)
		status, code := sign(time.Now(), "d-big", body).post(t, srv)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status)
		assert.Equal(t, webhook.CodeBodyTooLarge, code)
		assert.Zero(t, l.delivered())
	})
}
