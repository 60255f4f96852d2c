package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// The application revisions in the database are sealed with the filing's
// data key: the table holds none of the applicant's identifiers, the API
// reads them back, and once the key is erased nobody can.
func TestApplicationRevisionsAreSealedAtRestAndGoWithTheirKey(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := testenv.Keys(t, db)
		apps := store.NewApplications(db, keys)
		id := filing.ID("0190c5d2-5ea1-7000-8000-000000000001")
		app := sample.ValidApplication()
		rev, err := apps.Save(ctx, id, store.KindApplication, app)
		require.NoError(t, err)

		var raw []string
		require.NoError(t, db.Gorm.Raw("SELECT body FROM application_revisions").Scan(&raw).Error)
		require.NotEmpty(t, raw)
		for _, body := range raw {
			for _, secret := range []string{app.Subject.Leader.Name, app.Subject.Leader.IDNumber, app.Subject.Leader.Mobile,
				app.Subject.Leader.Email, app.Subject.MailingAddress.Detail, app.Subject.Name} {
				assert.NotContains(t, body, secret)
			}
			assert.True(t, strings.HasPrefix(body, "sealed:v1:"), "%.40s", body)
		}

		var back filing.Application
		require.NoError(t, apps.Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &back))
		assert.Equal(t, app.Subject.Leader.IDNumber, back.Subject.Leader.IDNumber)

		// Another process, another cache: the same key from the table.
		var again filing.Application
		require.NoError(t, store.NewApplications(db, testenv.Keys(t, db)).Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &again))
		assert.Equal(t, back, again)

		require.NoError(t, keys.Erase(ctx, id))
		err = store.NewApplications(db, testenv.Keys(t, db)).Load(ctx, id, rev.ID, store.KindApplication, rev.Digest, &again)
		assert.ErrorIs(t, err, envelope.ErrErased)
	})
}

// Without data keys nothing personal is saved.
func TestWithoutDataKeysNoApplicationIsSavedInClear(t *testing.T) {
	db := testenv.SQLiteDB(t)
	_, err := store.NewApplications(db, nil).Save(context.Background(), "0190c5d2-5ea1-7000-8000-000000000002", store.KindApplication, sample.ValidApplication())
	assert.ErrorContains(t, err, "BEIANFLOW_DATA_KEYS")
	var n int64
	require.NoError(t, db.Gorm.Raw("SELECT COUNT(*) FROM application_revisions").Scan(&n).Error)
	assert.Zero(t, n)
}

// Processes creating a filing's first data key at once agree on one.
func TestConcurrentFirstSealsOfAFilingAgreeOnOneDataKey(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := filing.ID("0190c5d2-5ea1-7000-8000-000000000003")
		sealed := make([][]byte, 12)
		errs := testenv.Concurrently(len(sealed), func(i int) error {
			s, err := testenv.Keys(t, db).Seal(ctx, id, "r", []byte("same filing"))
			sealed[i] = s
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		reader := testenv.Keys(t, db)
		for i, s := range sealed {
			_, err := reader.Open(ctx, id, "r", s)
			assert.NoError(t, err, "seal %d", i)
		}
	})
}

// BenchmarkSaveApplication saves an application revision sealed with its
// filing's data key, interleaved with the baseline of what saving was
// before sealing: the same JSON inserted in clear into the same table, on
// PostgreSQL. It reports the ratio of their times (each filing's first
// save also makes and wraps its key; most saves reuse it, as here).
//
//	go test -run XXX -bench BenchmarkSaveApplication -benchtime 500x ./internal/store/
func BenchmarkSaveApplication(b *testing.B) {
	db := testenv.PostgresDB(b)
	apps := store.NewApplications(db, testenv.Keys(b, db))
	app := sample.ValidApplication()
	body, err := json.Marshal(app)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ids := make([]filing.ID, 20) // a few filings, each saved many times
	for i := range ids {
		ids[i] = filing.ID(fmt.Sprintf("0190c5d2-be00-7000-8000-%012d", i))
	}
	var sealed, plain time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		id := ids[i%len(ids)]
		i++
		t0 := time.Now()
		if _, err := apps.Save(ctx, id, store.KindApplication, app); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sum := sha256.Sum256(body)
		rev := store.ApplicationRevision{ID: uuid.Must(uuid.NewV7()).String(), FilingID: string(id), Kind: store.KindApplication,
			Body: string(body), Digest: hex.EncodeToString(sum[:]), CreatedAt: time.Now().UTC()}
		if err := db.Gorm.WithContext(ctx).Create(&rev).Error; err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		sealed, plain = sealed+t1.Sub(t0), plain+t2.Sub(t1)
	}
	b.ReportMetric(float64(sealed.Microseconds())/float64(b.N), "sealed_µs/op")
	b.ReportMetric(float64(plain.Microseconds())/float64(b.N), "clear_µs/op")
	b.ReportMetric(sealed.Seconds()/plain.Seconds(), "sealed_x_clear")
}
