package erasure_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/erasure"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

type world struct {
	db     *store.DB
	keys   *envelope.Keys
	docs   *documents.Store
	eraser *erasure.Eraser
	now    time.Time
}

func newWorld(t *testing.T, db *store.DB, bucket config.S3) *world {
	t.Helper()
	keys := testenv.Keys(t, db)
	docs, err := documents.New(context.Background(), bucket, documents.WithSealer(keys))
	require.NoError(t, err)
	w := &world{db: db, keys: keys, docs: docs, now: time.Now()}
	w.eraser = &erasure.Eraser{DB: db, Keys: keys, Documents: docs, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return w.now }}
	return w
}

// filingWithData writes what a filing leaves behind: its read-model row,
// a sealed application revision, a document in S3, a notification and an
// audit entry.
func (w *world) filingWithData(t *testing.T, id filing.ID, stage filing.Stage, ended time.Time) store.ApplicationRevision {
	t.Helper()
	ctx := context.Background()
	_, err := store.NewFilings(w.db).Upsert(ctx, store.Filing{ID: string(id), AccountID: "acc", Province: "ZJ", FilingType: "new_website_elsewhere",
		Domain: "example.com", Stage: string(stage), Closed: stage.Terminal(), Revision: 1, WorkflowID: id.WorkflowID(), CreatedAt: ended.Add(-time.Hour), UpdatedAt: ended})
	require.NoError(t, err)
	rev, err := store.NewApplications(w.db, w.keys).Save(ctx, id, store.KindApplication, sample.ValidApplication())
	require.NoError(t, err)
	scan := []byte("%PDF-1.7 leader_id")
	key := "filings/" + string(id) + "/materials/m1"
	require.NoError(t, w.docs.PutUpload(ctx, key, "application/pdf", scan))
	sum := sha256.Sum256(scan)
	v, err := w.docs.VerifyAndSeal(ctx, key, filing.MaterialLeaderID, int64(len(scan)), hex.EncodeToString(sum[:]))
	require.NoError(t, err)
	require.True(t, v.OK, v.Message)
	require.NoError(t, outbox.Enqueue(w.db.Gorm.WithContext(ctx), outbox.Message{DedupKey: "k-" + string(id),
		Message: notify.Message{FilingID: string(id), Event: notify.EventInitialReviewApproved, Channel: notify.SMS, To: "13800138000",
			Params: map[string]string{"filing_id": string(id)}}}))
	_, err = store.NewEvents(w.db).Append(ctx, []store.FilingEvent{{FilingID: string(id), Seq: 1, At: ended, Actor: "system", Action: "cancelled", Reasons: "[]"}})
	require.NoError(t, err)
	return rev
}

func TestAnErasedFilingKeepsItsFactsAndLosesItsPersonalData(t *testing.T) {
	docs := documentsStore(t)
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, docs)
		id := filing.ID("0190c5d2-e7a5-7000-8000-" + suffix(t))
		rev := w.filingWithData(t, id, filing.StageCancelled, w.now.Add(-time.Hour))

		res, err := w.eraser.Erase(ctx, id, "support:k1", "subject_request")
		require.NoError(t, err)
		assert.Equal(t, 1, res.Documents)
		assert.False(t, res.Already)

		var app filing.Application
		err = store.NewApplications(db, w.keys).Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &app)
		assert.ErrorIs(t, err, envelope.ErrErased, "the sealed revision is unreadable")
		_, _, err = w.docs.Open(ctx, "filings/"+string(id)+"/materials/m1")
		assert.Error(t, err, "the document is unreadable, and deleted")
		var recipients []string
		require.NoError(t, db.Gorm.Raw("SELECT recipient FROM outbox_messages WHERE filing_id = ?", string(id)).Scan(&recipients).Error)
		assert.Equal(t, []string{""}, recipients)
		f, err := store.NewFilings(db).Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, string(filing.StageCancelled), f.Stage, "the facts remain")
		events, err := store.NewEvents(db).List(ctx, id)
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, erasure.ActionErased, events[1].Action)
		assert.Equal(t, "support:k1", events[1].Actor)
		assert.Equal(t, "subject_request", events[1].Detail)

		again, err := w.eraser.Erase(ctx, id, "support:k2", "subject_request")
		require.NoError(t, err)
		assert.True(t, again.Already)
		assert.Equal(t, res.ErasedAt, again.ErasedAt)
		events, err = store.NewEvents(db).List(ctx, id)
		require.NoError(t, err)
		assert.Len(t, events, 2, "a second erasure records nothing new")

		_, err = w.keys.Seal(ctx, id, "application revision x", []byte("new data"))
		assert.ErrorIs(t, err, envelope.ErrErased, "nothing new is sealed for an erased filing")
	})
}

func TestAFilingInFlightIsNotErased(t *testing.T) {
	docs := documentsStore(t)
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, docs)
		id := filing.ID("0190c5d2-e7a6-7000-8000-" + suffix(t))
		rev := w.filingWithData(t, id, filing.StageInitialReview, w.now)
		_, err := w.eraser.Erase(ctx, id, "support:k1", "subject_request")
		assert.ErrorIs(t, err, erasure.ErrNotEnded)
		var app filing.Application
		require.NoError(t, store.NewApplications(db, w.keys).Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &app))
	})
}

func TestTheRetentionSweepErasesOnlyFilingsEndedLongEnoughAgo(t *testing.T) {
	docs := documentsStore(t)
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, docs)
		s := suffix(t)
		old := filing.ID("0190c5d2-e7a7-7000-8000-" + s)
		recent := filing.ID("0190c5d2-e7a8-7000-8000-" + s)
		open := filing.ID("0190c5d2-e7a9-7000-8000-" + s)
		w.filingWithData(t, old, filing.StageApproved, w.now.Add(-200*24*time.Hour))
		w.filingWithData(t, recent, filing.StageApproved, w.now.Add(-10*24*time.Hour))
		w.filingWithData(t, open, filing.StageBureauReview, w.now.Add(-300*24*time.Hour))

		n, err := w.eraser.Sweep(ctx, 180*24*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		for id, want := range map[filing.ID]bool{old: true, recent: false, open: false} {
			_, gone, err := w.keys.ErasedAt(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, want, gone, "%s", id)
		}
		events, err := store.NewEvents(db).List(ctx, old)
		require.NoError(t, err)
		assert.Equal(t, "system:retention", events[len(events)-1].Actor)
		n, err = w.eraser.Sweep(ctx, 180*24*time.Hour)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to erase")
	})
}

// documentsStore is a bucket the test's worlds share.
func documentsStore(t *testing.T) config.S3 {
	t.Helper()
	cfg := testenv.S3For(t, "")
	d, err := documents.New(context.Background(), cfg)
	require.NoError(t, err)
	require.NoError(t, d.EnsureBucket(context.Background()))
	return cfg
}

// suffix makes the filings of each database's run distinct in the shared
// S3 bucket.
func suffix(t *testing.T) string {
	if bytes.Contains([]byte(t.Name()), []byte("postgres")) {
		return "00000000000a"
	}
	return "00000000000b"
}
