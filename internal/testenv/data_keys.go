package testenv

import (
	"testing"

	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/store"
)

// Keys are the filings' data keys kept in db, wrapped by DataKeys, as a
// process of the system opens them; each call is another process (its own
// cache of unwrapped keys).
func Keys(t testing.TB, db *store.DB) *envelope.Keys {
	t.Helper()
	ring, err := codec.ParseKeys(DataKeys)
	if err != nil {
		t.Fatal(err)
	}
	return envelope.NewKeys(store.NewFilingKeys(db), envelope.NewLocalKEK(ring))
}
