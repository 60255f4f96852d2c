package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// Many downloads of one form at once agree on one serial; changed content
// gets another, and a serial names the filing it was issued for.
func TestConcurrentDownloadsOfOneFormShareOneSerial(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		forms := store.NewVerificationForms(db)
		now := time.Now()
		serials := make([]string, 12)
		errs := testenv.Concurrently(len(serials), func(i int) error {
			f, err := forms.Issue(ctx, "f-1", "digest-a", fmt.Sprintf("HY-0000-0000-%04d", i), now)
			serials[i] = f.Serial
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		for _, s := range serials {
			assert.Equal(t, serials[0], s)
		}
		other, err := forms.Issue(ctx, "f-1", "digest-b", "HY-0000-0001-0000", now)
		require.NoError(t, err)
		assert.Equal(t, "HY-0000-0001-0000", other.Serial)

		got, err := forms.Lookup(ctx, serials[0])
		require.NoError(t, err)
		assert.Equal(t, "f-1", string(got.FilingID))
		_, err = forms.Lookup(ctx, "HY-ZZZZ-ZZZZ-ZZZZ")
		assert.ErrorIs(t, err, store.ErrNotFound)

		reads := store.NewPersonalDataReads(db)
		require.NoError(t, reads.Record(ctx, "f-1", "account:acc-1", now, "verification_form"))
		require.NoError(t, reads.Record(ctx, "f-1", "reviewer:staff-7", now.Add(time.Second), "material leader_id k-1", "material photo k-2"))
		require.NoError(t, reads.Record(ctx, "f-1", "reviewer:staff-7", now.Add(2*time.Second)), "nothing read, nothing recorded")
		list, err := reads.List(ctx, "f-1")
		require.NoError(t, err)
		require.Len(t, list, 3)
		assert.Equal(t, "account:acc-1", list[0].Actor)
		assert.Equal(t, []string{"material leader_id k-1", "material photo k-2"}, []string{list[1].What, list[2].What}, "one insert for many reads")
	})
}
