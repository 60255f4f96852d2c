package bureau_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// monday is an ordinary business day with no holiday within a week.
var monday = cst(2026, 11, 2, 10, 0)

func status(t *testing.T, sb *bureau.Sandbox, receiptID string) bureau.Status {
	t.Helper()
	st, err := sb.Status(context.Background(), receiptID)
	require.NoError(t, err)
	return st
}

func TestResubmittingWithTheSameKeyDoesNotSubmitTwice(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		sb, clk := sandboxAt(db, monday)

		first := submitted(t, sb, submission("f1-submit-1", "f1", true))
		assert.True(t, first.SubmittedAt.Equal(monday))

		// An activity retry, later and from a restarted sandbox, and racing
		// itself: still the one submission.
		clk.Advance(time.Hour)
		restarted := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		receipts := make([]bureau.Receipt, 6)
		errs := make([]error, len(receipts))
		race(t, db, len(receipts), func(i int) {
			receipts[i], errs[i] = restarted.Submit(ctx, submission("f1-submit-1", "f1", true))
		})
		for i := range receipts {
			require.NoError(t, errs[i])
			assert.Equal(t, first.ReceiptID, receipts[i].ReceiptID)
			assert.True(t, receipts[i].SubmittedAt.Equal(monday), "the original submission time")
		}
		recs, err := sb.Submissions(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, recs, 1)

		// A new key for the same filing is a resubmission.
		second := submitted(t, sb, submission("f1-submit-2", "f1", true))
		assert.NotEqual(t, first.ReceiptID, second.ReceiptID)
		recs, err = sb.Submissions(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, recs, 2)
		assert.Equal(t, []int{1, 2}, []int{recs[0].Attempt, recs[1].Attempt})

		// A key that names another filing's submission is a caller bug.
		_, err = sb.Submit(ctx, submission("f1-submit-1", "f2", true))
		assert.ErrorIs(t, err, bureau.ErrIdempotencyKeyReused)
	})
}

func TestConcurrentResubmissionsOfOneFilingGetDistinctAttempts(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: newClock(monday).Now})
		errs := make([]error, 4)
		race(t, db, len(errs), func(i int) {
			_, errs[i] = sb.Submit(ctx, submission(fmt.Sprintf("f1-key-%d", i), "f1", false))
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		recs, err := sb.Submissions(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, recs, 4)
		for i, r := range recs {
			assert.Equal(t, i+1, r.Attempt)
		}
	})
}

func TestSMSVerificationThenReviewThenApproval(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		r := submitted(t, sb, submission("k1", "f1", true))

		st := status(t, sb, r.ReceiptID)
		assert.Equal(t, bureau.StateSMSPending, st.State)
		assert.Equal(t, "f1", st.FilingID)
		assert.Equal(t, r.ReceiptID, st.ReceiptID)

		clk.Set(monday.Add(10*time.Minute - time.Second))
		assert.Equal(t, bureau.StateSMSPending, status(t, sb, r.ReceiptID).State)
		clk.Set(monday.Add(10 * time.Minute))
		st = status(t, sb, r.ReceiptID)
		assert.Equal(t, bureau.StateUnderReview, st.State)
		assert.True(t, st.UpdatedAt.Equal(monday.Add(10*time.Minute)), "entered review at %v", st.UpdatedAt)

		// Three business days after review began: Thursday 10:10.
		decided := cst(2026, 11, 5, 10, 10)
		clk.Set(decided.Add(-time.Second))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, r.ReceiptID).State)
		clk.Set(decided)
		st = status(t, sb, r.ReceiptID)
		assert.Equal(t, bureau.StateApproved, st.State)
		assert.True(t, st.UpdatedAt.Equal(decided))
		assert.Regexp(t, regexp.MustCompile(`^浙ICP备26\d{6}号-1$`), st.FilingNumber)
		assert.Empty(t, st.Reasons)
		assert.Zero(t, st.SMSAttemptsFailed)

		// The number is a function of the filing: the same on every poll.
		clk.Advance(30 * 24 * time.Hour)
		assert.Equal(t, st.FilingNumber, status(t, sb, r.ReceiptID).FilingNumber)

		// Without SMS verification the review starts at once.
		clk.Set(monday)
		r2 := submitted(t, sb, submission("k2", "f2", false))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, r2.ReceiptID).State)
		clk.Set(cst(2026, 11, 5, 10, 0))
		assert.Equal(t, bureau.StateApproved, status(t, sb, r2.ReceiptID).State)
	})
}

func TestSMSWindowMissedOnFirstSubmissionOnly(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		first := submitted(t, sb, submission("k1", "f1", true, bureau.MarkerSMSTimeout))

		// MIIT sends the code two minutes after submission; the window
		// runs 24 hours from there.
		sent := monday.Add(2 * time.Minute)
		clk.Set(sent.Add(-time.Second))
		assert.Zero(t, status(t, sb, first.ReceiptID).SMSSentAt, "no code yet")
		clk.Set(sent)
		assert.True(t, status(t, sb, first.ReceiptID).SMSSentAt.Equal(sent))
		clk.Set(sent.Add(24*time.Hour - time.Second))
		assert.Equal(t, bureau.StateSMSPending, status(t, sb, first.ReceiptID).State, "the applicant never verifies")
		clk.Set(sent.Add(24 * time.Hour))
		st := status(t, sb, first.ReceiptID)
		assert.Equal(t, bureau.StateSMSReturned, st.State)
		assert.True(t, st.State.Final())
		require.Len(t, st.Reasons, 1)
		assert.Equal(t, bureau.ReasonSMSTimeout, st.Reasons[0].Code)
		assert.True(t, st.UpdatedAt.Equal(sent.Add(24*time.Hour)))

		// The provider resubmits unchanged; this time the applicant verifies.
		resubmitted := clk.Now()
		second := submitted(t, sb, submission("k2", "f1", true, bureau.MarkerSMSTimeout))
		assert.Equal(t, bureau.StateSMSPending, status(t, sb, second.ReceiptID).State)
		clk.Set(resubmitted.Add(10 * time.Minute))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, second.ReceiptID).State)
		clk.Set(resubmitted.Add(30 * 24 * time.Hour))
		assert.Equal(t, bureau.StateApproved, status(t, sb, second.ReceiptID).State)
		assert.Equal(t, bureau.StateSMSReturned, status(t, sb, first.ReceiptID).State, "the first stays returned")

		// Without SMS verification there is no window to miss.
		noSMS := submitted(t, sb, submission("k3", "f3", false, bureau.MarkerSMSTimeout))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, noSMS.ReceiptID).State)
	})
}

// A wrong number is missed on every submission until the application no
// longer carries the marker: the applicant corrected the number.
func TestSMSUnreachableIsMissedUntilTheNumberIsCorrected(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		first := submitted(t, sb, submission("k1", "f1", true, bureau.MarkerSMSUnreachable))
		clk.Set(monday.Add(25 * time.Hour))
		second := submitted(t, sb, submission("k2", "f1", true, bureau.MarkerSMSUnreachable))
		clk.Set(monday.Add(50 * time.Hour))
		for _, r := range []bureau.Receipt{first, second} {
			st := status(t, sb, r.ReceiptID)
			assert.Equal(t, bureau.StateSMSReturned, st.State)
			require.Len(t, st.Reasons, 1)
			assert.Equal(t, bureau.ReasonSMSTimeout, st.Reasons[0].Code)
		}
		corrected := submitted(t, sb, submission("k3", "f1", true))
		clk.Set(monday.Add(50*time.Hour + 10*time.Minute))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, corrected.ReceiptID).State)
	})
}

func TestRejectedOnceThenApproved(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		first := submitted(t, sb, submission("k1", "f1", true, bureau.MarkerReject))
		clk.Set(cst(2026, 11, 5, 10, 10))
		st := status(t, sb, first.ReceiptID)
		assert.Equal(t, bureau.StateRejected, st.State)
		assert.Empty(t, st.FilingNumber)
		require.Len(t, st.Reasons, 1)
		assert.Equal(t, bureau.ReasonWebsiteName, st.Reasons[0].Code)
		assert.NotContains(t, st.Reasons[0].Message, websiteName, "reasons carry no application data")

		// Fixed and resubmitted (the marker may stay in the name).
		second := submitted(t, sb, submission("k2", "f1", true, bureau.MarkerReject))
		clk.Advance(30 * 24 * time.Hour)
		st = status(t, sb, second.ReceiptID)
		assert.Equal(t, bureau.StateApproved, st.State)
		assert.NotEmpty(t, st.FilingNumber)
	})
}

func TestRejectionFollowsAMissedSMSWindow(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		var got []bureau.State
		for _, key := range []string{"k1", "k2", "k3"} {
			r := submitted(t, sb, submission(key, "f1", true, bureau.MarkerSMSTimeout, bureau.MarkerReject))
			clk.Advance(30 * 24 * time.Hour)
			got = append(got, status(t, sb, r.ReceiptID).State)
		}
		assert.Equal(t, []bureau.State{bureau.StateSMSReturned, bureau.StateRejected, bureau.StateApproved}, got)
	})
}

func TestOverdueMarkerNeverDecides(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, clk := sandboxAt(db, monday)
		for _, key := range []string{"k1", "k2"} {
			r := submitted(t, sb, submission(key, "f1", true, bureau.MarkerOverdue, bureau.MarkerReject))
			clk.Advance(365 * 24 * time.Hour)
			assert.Equal(t, bureau.StateUnderReview, status(t, sb, r.ReceiptID).State, key)
		}
	})
}

func TestDecisionComesAfterThreeBusinessDaysAcrossNationalDay(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		// Wednesday 2026-09-30, the last business day before National Day.
		// 10-01..10-07 are days off, so the three business days are Thu
		// 10-08, Fri 10-09 and the make-up Saturday 10-10.
		sb, clk := sandboxAt(db, cst(2026, 9, 30, 10, 0))
		r := submitted(t, sb, submission("k1", "f1", false))

		decided := cst(2026, 10, 10, 10, 0)
		clk.Set(decided.Add(-time.Second))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, r.ReceiptID).State)
		clk.Set(decided)
		st := status(t, sb, r.ReceiptID)
		assert.Equal(t, bureau.StateApproved, st.State)
		assert.True(t, st.UpdatedAt.Equal(decided), "decided at %v", st.UpdatedAt.In(time.FixedZone("CST", 8*3600)))
	})
}

func TestTimeScaleCompressesEveryDelay(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		clk := newClock(monday)
		// One real minute stands for a day.
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now, TimeScale: 1440})
		timeout := submitted(t, sb, submission("k1", "f1", true, bureau.MarkerSMSTimeout))
		review := submitted(t, sb, submission("k2", "f2", true))

		smsDone := monday.Add(10 * time.Minute / 1440) // 416.666ms
		changesAt(t, sb, clk, review.ReceiptID, smsDone, bureau.StateSMSPending, bureau.StateUnderReview)

		// The code after 2 minutes (83.333 ms), then the 24-hour window
		// (one minute).
		returned := monday.Add((2*time.Minute + 24*time.Hour) / 1440)
		changesAt(t, sb, clk, timeout.ReceiptID, returned, bureau.StateSMSPending, bureau.StateSMSReturned)

		// Three business days from Monday 10:00:00.416 are 72 hours: 3 minutes.
		decided := smsDone.Add(3 * time.Minute)
		changesAt(t, sb, clk, review.ReceiptID, decided, bureau.StateUnderReview, bureau.StateApproved)
	})
}

func TestStatusOfAnUnknownReceiptFails(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{})
		_, err := sb.Status(context.Background(), "SBX-nothing")
		assert.ErrorIs(t, err, bureau.ErrUnknownReceipt)
	})
}

func TestInvalidSubmissionsAreRefused(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{})
		noKey := submission("", "f1", true)
		noFiling := submission("k1", "", true)
		hongKong := submission("k2", "f2", true)
		hongKong.Province = "HK"
		for name, s := range map[string]bureau.Submission{"no key": noKey, "no filing": noFiling, "Hong Kong": hongKong} {
			_, err := sb.Submit(ctx, s)
			assert.ErrorIs(t, err, bureau.ErrInvalidSubmission, name)
		}
		var n int64
		require.NoError(t, db.Gorm.Table("sandbox_bureau_submissions").Count(&n).Error)
		assert.Zero(t, n)
	})
}

func TestNoPersonalDataIsStored(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb, _ := sandboxAt(db, monday)
		submitted(t, sb, submission("k1", "f1", true, bureau.MarkerReject))
		var rows []map[string]any
		require.NoError(t, db.Gorm.Table("sandbox_bureau_submissions").Find(&rows).Error)
		require.Len(t, rows, 1)
		for col, v := range rows[0] {
			for _, secret := range []string{leaderName, leaderID, leaderPhone, websiteName} {
				assert.NotContains(t, fmt.Sprint(v), secret, "column %s", col)
			}
		}
	})
}

func TestSubmissionsOwnTimeScaleDecidesItSooner(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now}) // real time
		plain := submitted(t, sb, submission("k1", "f1", true))
		hinted := submission("k2", "f2", true)
		hinted.SandboxTimeScale = 8640
		fast, err := sb.Submit(ctx, hinted)
		require.NoError(t, err)

		// 8640×: SMS after 10 min / 8640 (69.444 ms), then three business
		// days (72 hours) in 30 s.
		smsDone := monday.Add(69444 * time.Microsecond)
		changesAt(t, sb, clk, fast.ReceiptID, smsDone, bureau.StateSMSPending, bureau.StateUnderReview)
		decided := smsDone.Add(30 * time.Second)
		clk.Set(decided.Add(-time.Millisecond))
		assert.Equal(t, bureau.StateUnderReview, status(t, sb, fast.ReceiptID).State)
		clk.Set(decided)
		st := status(t, sb, fast.ReceiptID)
		assert.Equal(t, bureau.StateApproved, st.State)
		assert.Regexp(t, regexp.MustCompile(`^浙ICP备26\d{6}号-1$`), st.FilingNumber)
		assert.Equal(t, bureau.StateSMSPending, status(t, sb, plain.ReceiptID).State, "the submission without hint keeps real time")

		// The one without hint decides Thursday 10:10: 8640 times later.
		clk.Set(cst(2026, 11, 5, 10, 10))
		slow := status(t, sb, plain.ReceiptID)
		require.Equal(t, bureau.StateApproved, slow.State)
		ratio := float64(slow.UpdatedAt.Sub(monday)) / float64(st.UpdatedAt.Sub(monday))
		assert.InEpsilon(t, 8640, ratio, 1e-6, "decided %v vs %v after submission", slow.UpdatedAt.Sub(monday), st.UpdatedAt.Sub(monday))

		// The course is fixed on arrival: a retry without the hint, or a
		// sandbox restarted with another scale, changes nothing.
		restarted := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now, TimeScale: 2})
		again, err := restarted.Submit(ctx, submission("k2", "f2", true))
		require.NoError(t, err)
		assert.Equal(t, fast, again)
		assert.Equal(t, st, status(t, restarted, fast.ReceiptID))
	})
}

func TestSubmissionsOwnTimeScaleOverridesTheSandboxs(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now, TimeScale: 1440})
		hinted := submission("k1", "f1", false)
		hinted.SandboxTimeScale = 8640
		fast, err := sb.Submit(ctx, hinted)
		require.NoError(t, err)
		// A hint that is no positive number is no hint: the sandbox's 1440.
		var ignored []bureau.Receipt
		for i, hint := range []float64{0, -8640, math.NaN(), math.Inf(1)} {
			s := submission(fmt.Sprintf("k-ignored-%d", i), fmt.Sprintf("f-ignored-%d", i), false)
			s.SandboxTimeScale = hint
			r, err := sb.Submit(ctx, s)
			require.NoError(t, err)
			ignored = append(ignored, r)
		}

		clk.Set(monday.Add(30 * time.Second)) // 72 hours at 8640×
		assert.Equal(t, bureau.StateApproved, status(t, sb, fast.ReceiptID).State)
		for i, r := range ignored {
			assert.Equal(t, bureau.StateUnderReview, status(t, sb, r.ReceiptID).State, i)
		}
		clk.Set(monday.Add(3 * time.Minute)) // 72 hours at 1440×
		for i, r := range ignored {
			assert.Equal(t, bureau.StateApproved, status(t, sb, r.ReceiptID).State, i)
		}
	})
}

// The push: the sandbox plays the partner's webhook.

// runPush runs the push loop until the test ends.
func runPush(t *testing.T, sb *bureau.Sandbox, l bureau.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sb.Run(ctx, l, 5*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
}

func TestPushesStateChangesAndRetriesFailedPushes(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		sb, clk := sandboxAt(db, monday)
		r := submitted(t, sb, submission("k1", "f1", true))

		l := &recordingListener{partnertest.Recorder[bureau.Status]{FailFirst: 2}}
		runPush(t, sb, l)
		require.Eventually(t, func() bool { return len(l.states()) == 1 }, 5*time.Second, time.Millisecond,
			"the failed pushes are retried")
		assert.Equal(t, []bureau.State{bureau.StateSMSPending}, l.states())
		assert.Equal(t, 3, l.Calls())

		clk.Set(monday.Add(10 * time.Minute))
		require.Eventually(t, func() bool { return len(l.states()) == 2 }, 5*time.Second, time.Millisecond)
		clk.Set(cst(2026, 11, 5, 10, 10))
		require.Eventually(t, func() bool { return len(l.states()) == 3 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []bureau.State{bureau.StateSMSPending, bureau.StateUnderReview, bureau.StateApproved}, l.states())
		approved := l.Events()[2]
		assert.Equal(t, r.ReceiptID, approved.ReceiptID)
		assert.NotEmpty(t, approved.FilingNumber)

		// Nothing changing any more, nothing more is pushed.
		l.PushesSettle(t, "the approval's push is recorded", func() bool {
			recs, err := sb.Submissions(ctx, "f1")
			return err == nil && len(recs) > 0 && recs[0].LastPushedState == bureau.StateApproved
		})
	})
}

func TestARestartedSandboxPushesOnlyWhatWasNotPushed(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		before := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		_, err := before.Submit(ctx, submission("k1", "f1", false))
		require.NoError(t, err)
		_, err = before.Submit(ctx, submission("k2", "f2", false, bureau.MarkerOverdue))
		require.NoError(t, err)
		first := &recordingListener{}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- before.Run(runCtx, first, 5*time.Millisecond) }()
		require.Eventually(t, func() bool { return len(first.states()) == 2 }, 5*time.Second, time.Millisecond)
		stop()
		require.NoError(t, <-done)
		for _, f := range []string{"f1", "f2"} {
			recs, err := before.Submissions(ctx, f)
			require.NoError(t, err)
			assert.Equal(t, bureau.StateUnderReview, recs[0].LastPushedState, "a delivered push is recorded even as the loop stops")
		}

		// While the sandbox is down f1 is decided; the restarted one pushes
		// that decision and nothing about the unchanged f2.
		clk.Set(cst(2026, 11, 5, 10, 0))
		after := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		second := &recordingListener{}
		runPush(t, after, second)
		require.Eventually(t, func() bool { return len(second.states()) == 1 }, 5*time.Second, time.Millisecond)
		time.Sleep(30 * time.Millisecond)
		require.Equal(t, []bureau.State{bureau.StateApproved}, second.states())
		assert.Equal(t, "f1", second.Events()[0].FilingID)
	})
}

func TestRunNeedsAListenerAndAnInterval(t *testing.T) {
	sb := bureau.NewSandbox(nil, bureau.SandboxOptions{})
	assert.Error(t, sb.Run(context.Background(), nil, time.Second))
	assert.Error(t, sb.Run(context.Background(), &recordingListener{}, 0))
}
