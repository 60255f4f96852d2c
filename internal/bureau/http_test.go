package bureau_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestClientSubmitsOverHTTPAndRetriesWithoutSubmittingTwice(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		f := &partnertest.Flaky{Next: bureau.NewSandboxServer(sb), Spoil: func(attempt int, w http.ResponseWriter) bool {
			switch attempt {
			case 1: // the sandbox recorded the submission, then the gateway failed
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			case 2: // recorded again (idempotently), then the answer was lost
				if conn, _, err := w.(http.Hijacker).Hijack(); assert.NoError(t, err) {
					_ = conn.Close()
				}
				return true
			}
			return false
		}}
		client := bureau.NewHTTPClient(partnertest.Serve(t, f).URL+"/", partnertest.Quick)

		rc, err := client.Submit(ctx, submission("f1-submission-1", "f1", true))
		require.NoError(t, err)
		assert.Equal(t, 3, f.Count(), "503, lost answer, then the receipt")
		assert.Equal(t, []string{"f1-submission-1", "f1-submission-1", "f1-submission-1"}, f.Keys(), "every attempt carries the key")
		assert.True(t, rc.SubmittedAt.Equal(monday))
		recs, err := sb.Submissions(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, recs, 1, "submitted once")
		assert.Equal(t, recs[0].ReceiptID, rc.ReceiptID)

		// The status over HTTP is the sandbox's.
		st, err := client.Status(ctx, rc.ReceiptID)
		require.NoError(t, err)
		want, err := sb.Status(ctx, rc.ReceiptID)
		require.NoError(t, err)
		assert.Equal(t, bureau.StateSMSPending, st.State)
		assert.Equal(t, want.FilingID, st.FilingID)
		assert.True(t, want.UpdatedAt.Equal(st.UpdatedAt))
	})
}

func TestSandboxServerAnswers201ThenTheSameReceiptWith200(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		var (
			mu       sync.Mutex
			statuses []int
		)
		srv := partnertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			bureau.NewSandboxServer(sb).ServeHTTP(rec, r)
			mu.Lock()
			statuses = append(statuses, rec.Code)
			mu.Unlock()
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}))
		client := bureau.NewHTTPClient(srv.URL, partnertest.Quick)
		first, err := client.Submit(context.Background(), submission("k1", "f1", false))
		require.NoError(t, err)
		again, err := client.Submit(context.Background(), submission("k1", "f1", false))
		require.NoError(t, err)
		assert.Equal(t, first, again)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []int{http.StatusCreated, http.StatusOK}, statuses)
	})
}

func TestBusinessRefusalIsNotRetried(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		_, err := sb.Submit(ctx, submission("k1", "f1", true))
		require.NoError(t, err)
		f := &partnertest.Flaky{Next: bureau.NewSandboxServer(sb)}
		srv := partnertest.Serve(t, f)
		client := bureau.NewHTTPClient(srv.URL, partnertest.Quick)

		hongKong := submission("k2", "f2", true)
		hongKong.Province = "HK"
		calls := map[string]struct {
			call func() error
			want error
		}{
			"invalid submission (422)": {func() error { _, err := client.Submit(ctx, hongKong); return err }, bureau.ErrInvalidSubmission},
			"key of another filing (409)": {func() error {
				_, err := client.Submit(ctx, submission("k1", "f9", true))
				return err
			}, bureau.ErrIdempotencyKeyReused},
			"unknown receipt (404)": {func() error { _, err := client.Status(ctx, "SBX-nothing"); return err }, bureau.ErrUnknownReceipt},
		}
		for name, c := range calls {
			before := f.Count()
			err := c.call()
			require.ErrorIs(t, err, c.want, name)
			assert.Equal(t, before+1, f.Count(), "%s: one attempt", name)
			for _, secret := range []string{leaderName, leaderID, leaderPhone, websiteName} {
				assert.NotContains(t, err.Error(), secret, name)
			}
		}

		// Without a key nothing is sent: a retry could submit twice.
		before := f.Count()
		_, err = client.Submit(ctx, submission("", "f3", true))
		require.ErrorIs(t, err, bureau.ErrInvalidSubmission)
		assert.Equal(t, before, f.Count())

		// A 404 that is not the gateway's "unknown receipt" (a wrong base
		// URL) must not make a submission look lost.
		wrong := bureau.NewHTTPClient(srv.URL+"/elsewhere", partnertest.Quick)
		_, err = wrong.Status(ctx, "SBX-nothing")
		require.Error(t, err)
		assert.NotErrorIs(t, err, bureau.ErrUnknownReceipt)
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		var mu sync.Mutex
		var at []time.Time
		f := &partnertest.Flaky{Next: bureau.NewSandboxServer(sb), Spoil: func(attempt int, w http.ResponseWriter) bool {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			if attempt == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
			return false
		}}
		srv := partnertest.Serve(t, f)
		_, err := bureau.NewHTTPClient(srv.URL, partnertest.Quick).Submit(ctx, submission("k1", "f1", false))
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, at, 2)
		assert.GreaterOrEqual(t, at[1].Sub(at[0]), time.Second, "waited as told, not the 1ms backoff")

		// A Retry-After beyond the call budget ends the call at once.
		busy := partnertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		opts := partnertest.Quick
		opts.CallBudget = 2 * time.Second
		start := time.Now()
		_, err = bureau.NewHTTPClient(busy.URL, opts).Status(ctx, "SBX-x")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "HTTP 503")
		assert.Less(t, time.Since(start), time.Second)
	})
}

func TestSandboxTimeScaleTravelsInItsHeader(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now}) // real time
		rec := &partnertest.HintRecorder{Next: bureau.NewSandboxServer(sb), FailFirst: 1}
		own := &http.Client{Timeout: 5 * time.Second}
		opts := partnertest.Quick
		opts.Client = own
		client := bureau.NewHTTPClient(partnertest.Serve(t, rec).URL, opts)
		assert.Nil(t, own.Transport, "the caller's client is left alone")

		hinted := submission("k1", "f1", false)
		hinted.SandboxTimeScale = 8640
		fast, err := client.Submit(ctx, hinted)
		require.NoError(t, err)
		assert.Equal(t, []string{"POST 8640", "POST 8640"}, rec.Sent(), "every attempt carries the hint")

		// Real time (1) and no hint send no header: real partners never see it.
		var plain []bureau.Receipt
		for i, hint := range []float64{0, 1} {
			s := submission(fmt.Sprintf("k-plain-%d", i), fmt.Sprintf("f-plain-%d", i), false)
			s.SandboxTimeScale = hint
			r, err := client.Submit(ctx, s)
			require.NoError(t, err)
			plain = append(plain, r)
		}
		half := submission("k-half", "f-half", false)
		half.SandboxTimeScale = 0.5
		_, err = client.Submit(ctx, half)
		require.NoError(t, err)
		assert.Equal(t, []string{"POST 8640", "POST 8640", "POST ", "POST ", "POST 0.5"}, rec.Sent())

		// The sandbox followed the hint: 72 hours in 30 seconds.
		clk.Set(monday.Add(30 * time.Second))
		st, err := client.Status(ctx, fast.ReceiptID)
		require.NoError(t, err)
		assert.Equal(t, bureau.StateApproved, st.State)
		for _, r := range plain {
			st, err := client.Status(ctx, r.ReceiptID)
			require.NoError(t, err)
			assert.Equal(t, bureau.StateUnderReview, st.State)
		}
		assert.Equal(t, "GET ", rec.Sent()[len(rec.Sent())-1], "polls carry no hint")
	})
}

func TestSandboxServerRefusesABadTimeScale(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		srv := partnertest.Serve(t, bureau.NewSandboxServer(sb))
		post := func(hint string) (int, string) {
			return partnertest.PostWithHint(t, srv.URL+"/submissions", map[string]any{"filing_id": "f1", "province": "ZJ",
				"filing_type": "new_website_elsewhere", "sms_required": false, "application": map[string]any{}}, "k1", hint)
		}
		partnertest.RefusesBadHints(t, post)
		recs, err := sb.Submissions(context.Background(), "f1")
		require.NoError(t, err)
		assert.Empty(t, recs, "nothing was submitted")

		status, _ := post("8640")
		assert.Equal(t, http.StatusCreated, status)

		// A gateway that refuses the hint refuses the submission: a caller
		// bug, not retried.
		refusing := &partnertest.Flaky{Next: hintRefuser{}}
		hinted := submission("k2", "f2", false)
		hinted.SandboxTimeScale = 8640
		_, err = bureau.NewHTTPClient(partnertest.Serve(t, refusing).URL, partnertest.Quick).Submit(context.Background(), hinted)
		require.ErrorIs(t, err, bureau.ErrInvalidSubmission)
		assert.Contains(t, err.Error(), "HTTP 400 invalid_time_scale")
		assert.Equal(t, 1, refusing.Count())
	})
}

// hintRefuser answers every request as the sandbox answers a bad hint.
type hintRefuser struct{}

func (hintRefuser) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"code":"invalid_time_scale","message":"X-Sandbox-Time-Scale must be a positive number"}`))
}
