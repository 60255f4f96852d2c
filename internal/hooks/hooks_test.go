package hooks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	reference "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/safehttp"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// receiver is an account's webhook endpoint: it answers with status and
// keeps what it got.
type receiver struct {
	mu       sync.Mutex
	status   int
	got      []http.Header
	bodies   [][]byte
	received chan struct{}
}

func newReceiver(t *testing.T) (*receiver, *httptest.Server) {
	r := &receiver{status: http.StatusNoContent, received: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.bodies = append(r.got, req.Header.Clone()), append(r.bodies, body)
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
		r.received <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) answer(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

func (r *receiver) last() (http.Header, []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[len(r.got)-1], r.bodies[len(r.bodies)-1]
}

// world is one database with an account's endpoint and a sender on a
// clock of the test's.
type world struct {
	db       *store.DB
	eps      *hooks.Endpoints
	sender   *hooks.Sender
	clock    *testenv.Clock
	endpoint filing.WebhookEndpointSecret
}

func newWorld(t *testing.T, db *store.DB, url string, client safehttp.Options) *world {
	t.Helper()
	keys := testenv.Keys(t, db)
	clock := testenv.NewClock(time.Now().UTC())
	eps := &hooks.Endpoints{DB: db, Secrets: keys, URLs: safehttp.Options{AllowHTTP: true, AllowPrivate: true}, Now: clock.Now}
	ep, err := eps.Create(context.Background(), "acc-1", filing.WebhookEndpointRequest{URL: url})
	require.NoError(t, err)
	client.AllowHTTP = true
	return &world{db: db, eps: eps, clock: clock, endpoint: ep,
		sender: &hooks.Sender{DB: db, Secrets: keys, Client: safehttp.NewClient(client), Now: clock.Now,
			FirstBackoff: time.Second, DisableAfter: time.Hour}}
}

// happen stores an event of filing f as a read-model write would, with its
// deliveries.
func (w *world) happen(t *testing.T, f filing.ID, key string, typ filing.EventType) string {
	t.Helper()
	d := feed.Draft{Key: key, Type: typ, OccurredAt: w.clock.Now()}
	require.NoError(t, w.db.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := feed.Append(tx, f, "acc-1", d); err != nil {
			return err
		}
		return hooks.Schedule(tx, "acc-1", feed.IDs(f, []feed.Draft{d}), w.clock.Now(), 0)
	}))
	return feed.IDs(f, []feed.Draft{d})[0]
}

func (w *world) round(t *testing.T) int {
	t.Helper()
	n, err := w.sender.DeliverDue(context.Background())
	require.NoError(t, err)
	return n
}

func TestADeliveryVerifiesWithTheReferenceLibraryAndCarriesTheEvent(t *testing.T) {
	r, srv := newReceiver(t)
	w := newWorld(t, testenv.SQLiteDB(t), srv.URL+"/hooks", safehttp.Options{AllowPrivate: true})
	id := w.happen(t, "f-1", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))

	h, body := r.last()
	wh, err := reference.NewWebhook(w.endpoint.Secret)
	require.NoError(t, err)
	require.NoError(t, wh.Verify(body, h), "the Standard Webhooks reference library accepts it")
	assert.Equal(t, id, h.Get("webhook-id"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Contains(t, string(body), `"type":"filing.created"`)
	assert.Zero(t, w.round(t), "delivered once")

	ds, err := hooks.Deliveries(context.Background(), w.db, hooks.DeliveryQuery{EndpointID: w.endpoint.ID})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, hooks.StatusDelivered, ds[0].Status)
	assert.Equal(t, 1, ds[0].Attempts)
}

func TestAFilingsNextEventWaitsUntilTheEarlierOneIsAcknowledged(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		r, srv := newReceiver(t)
		w := newWorld(t, db, srv.URL, safehttp.Options{AllowPrivate: true})
		r.answer(http.StatusServiceUnavailable)
		first := w.happen(t, "f-1", "created", filing.EventCreated)
		w.happen(t, "f-1", "row/2/waiting", filing.EventWaiting)
		other := w.happen(t, "f-2", "created", filing.EventCreated)

		assert.Equal(t, 2, w.round(t), "the first event of each filing, not the second of f-1")
		assert.Zero(t, w.round(t), "both wait for their backoff")
		ds, err := hooks.Deliveries(context.Background(), db, hooks.DeliveryQuery{FilingID: "f-1"})
		require.NoError(t, err)
		for _, d := range ds {
			if d.EventID == first {
				assert.Equal(t, "status 503", d.LastError)
				assert.Equal(t, 1, d.Attempts)
				require.NotNil(t, d.NextAttemptAt)
			} else {
				assert.Zero(t, d.Attempts, "the later event was not tried")
			}
		}

		r.answer(http.StatusOK)
		w.clock.Advance(time.Hour)
		assert.Equal(t, 2, w.round(t), "f-1's first and f-2's again")
		assert.Equal(t, 1, w.round(t), "then f-1's second")
		_, body := r.last()
		assert.Contains(t, string(body), `"type":"filing.waiting"`)
		_ = other
	})
}

func TestDuringARotationDeliveriesAreSignedWithBothSecrets(t *testing.T) {
	r, srv := newReceiver(t)
	w := newWorld(t, testenv.SQLiteDB(t), srv.URL, safehttp.Options{AllowPrivate: true})
	old := w.endpoint.Secret
	rotated, err := w.eps.Rotate(context.Background(), "acc-1", w.endpoint.ID, 24*time.Hour)
	require.NoError(t, err)
	require.NotEqual(t, old, rotated.Secret)
	require.NotNil(t, rotated.PreviousSecretUntil)

	w.happen(t, "f-1", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))
	h, body := r.last()
	assert.Len(t, strings.Fields(h.Get("webhook-signature")), 2)
	for name, secret := range map[string]string{"the old secret": old, "the new secret": rotated.Secret} {
		wh, err := reference.NewWebhook(secret)
		require.NoError(t, err)
		assert.NoError(t, wh.Verify(body, h), "a receiver still on %s verifies", name)
	}

	// Past the overlap only the new secret signs.
	w.clock.Advance(25 * time.Hour)
	w.happen(t, "f-1", "row/2/waiting", filing.EventWaiting)
	require.Equal(t, 1, w.round(t))
	h, body = r.last()
	wh, _ := reference.NewWebhook(old)
	assert.Error(t, wh.Verify(body, h), "the old secret no longer verifies")
	wh, _ = reference.NewWebhook(rotated.Secret)
	assert.NoError(t, wh.VerifyIgnoringTimestamp(body, h))
}

func TestAnEndpointFailingForLongIsDisabledAndItsAccountTold(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, srv := newReceiver(t)
		w := newWorld(t, db, srv.URL, safehttp.Options{AllowPrivate: true})
		healthy, err := w.eps.Create(ctx, "acc-1", filing.WebhookEndpointRequest{URL: srv.URL + "/other",
			EventTypes: []filing.EventType{filing.EventWebhookEndpointDisabled}})
		require.NoError(t, err)
		failing, err := w.eps.Update(ctx, "acc-1", w.endpoint.ID, filing.WebhookEndpointPatch{URL: ptr(srv.URL + "/broken")})
		require.NoError(t, err)
		broken := http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
			if req.URL.Path == "/broken" {
				rw.WriteHeader(http.StatusInternalServerError)
				return
			}
			rw.WriteHeader(http.StatusOK)
			r.received <- struct{}{}
		})
		srv.Config.Handler = broken
		w.happen(t, "f-1", "created", filing.EventCreated)

		for i := 0; i < hooks.MinFailures; i++ {
			w.clock.Advance(2 * time.Hour) // past any backoff, past DisableAfter
			w.round(t)
		}
		ep, err := w.eps.Get(ctx, "acc-1", failing.ID)
		require.NoError(t, err)
		assert.Equal(t, filing.WebhookDisabled, ep.Status)
		assert.Equal(t, hooks.ReasonFailing, ep.DisabledReason)

		events, _, err := feed.List(ctx, db, feed.Query{AccountID: "acc-1"})
		require.NoError(t, err)
		last := events[len(events)-1]
		assert.Equal(t, filing.EventWebhookEndpointDisabled, last.Type)
		assert.Contains(t, string(last.Data), failing.ID)
		w.round(t)
		ds, err := hooks.Deliveries(ctx, db, hooks.DeliveryQuery{EndpointID: healthy.ID})
		require.NoError(t, err)
		require.Len(t, ds, 1, "the account's other endpoint is told")
		assert.Equal(t, hooks.StatusDelivered, ds[0].Status)

		// Enabled again, the waiting delivery goes out once it answers.
		srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusOK) })
		ep, err = w.eps.Update(ctx, "acc-1", failing.ID, filing.WebhookEndpointPatch{Enabled: ptr(true)})
		require.NoError(t, err)
		assert.Equal(t, filing.WebhookEnabled, ep.Status)
		assert.Nil(t, ep.FailingSince)
		w.clock.Advance(2 * time.Hour)
		assert.Equal(t, 1, w.round(t))
	})
}

func TestAURLOfOurOwnNetworkIsRefusedWhenSavedAndWhenDelivered(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLiteDB(t)
	eps := &hooks.Endpoints{DB: db, Secrets: testenv.Keys(t, db)}
	for _, u := range []string{"http://example.com/hook", "https://127.0.0.1/hook", "https://10.0.0.7/hook",
		"https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://localhost/hook", "https://user:pw@example.com/"} {
		_, err := eps.Create(ctx, "acc-1", filing.WebhookEndpointRequest{URL: u})
		assert.ErrorIs(t, err, hooks.ErrBadURL, u)
	}
	_, err := eps.Create(ctx, "acc-1", filing.WebhookEndpointRequest{URL: "https://hooks.example.com/beianflow"})
	assert.NoError(t, err)

	// A name that resolves to loopback when the delivery connects (DNS
	// rebinding) is refused then.
	_, srv := newReceiver(t)
	w := newWorld(t, testenv.SQLiteDB(t), strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), safehttp.Options{})
	w.happen(t, "f-1", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))
	ds, err := hooks.Deliveries(ctx, w.db, hooks.DeliveryQuery{EndpointID: w.endpoint.ID})
	require.NoError(t, err)
	assert.Equal(t, "blocked_address", ds[0].LastError)
}

func ptr[T any](v T) *T { return &v }

func TestRotatingTheKeyEncryptionKeyRewrapsEndpointSecretsAndDeliveriesStillVerify(t *testing.T) {
	ctx := context.Background()
	db := testenv.SQLiteDB(t)
	k1, err := codec.NewKeyLine("k1")
	require.NoError(t, err)
	k2, err := codec.NewKeyLine("k2")
	require.NoError(t, err)
	keysOf := func(lines string) *envelope.Keys {
		ring, err := codec.ParseKeys(lines)
		require.NoError(t, err)
		return envelope.NewKeys(store.NewFilingKeys(db), envelope.NewLocalKEK(ring))
	}
	eps := &hooks.Endpoints{DB: db, Secrets: keysOf(k1), URLs: safehttp.Options{AllowHTTP: true, AllowPrivate: true}}
	r, srv := newReceiver(t)
	ep, err := eps.Create(ctx, "acc-1", filing.WebhookEndpointRequest{URL: srv.URL})
	require.NoError(t, err)

	both := keysOf(k1 + "," + k2)
	n, err := hooks.RewrapSecrets(ctx, db, both)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = hooks.RewrapSecrets(ctx, db, both)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to move")

	// k1 retired: the sender opens the secret with k2 alone.
	w := &world{db: db, clock: testenv.NewClock(time.Now()), sender: &hooks.Sender{DB: db, Secrets: keysOf(k2),
		Client: safehttp.NewClient(safehttp.Options{AllowHTTP: true, AllowPrivate: true})}}
	w.sender.Now = w.clock.Now
	w.happen(t, "f-1", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))
	h, body := r.last()
	wh, err := reference.NewWebhook(ep.Secret)
	require.NoError(t, err)
	assert.NoError(t, wh.Verify(body, h), "signed with the same secret as before")
}

func TestDeliveredDeliveriesArePrunedAfterAWhileAndTheOthersStay(t *testing.T) {
	_, srv := newReceiver(t)
	w := newWorld(t, testenv.SQLiteDB(t), srv.URL, safehttp.Options{AllowPrivate: true})
	w.happen(t, "f-1", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))
	w.sender.Client = safehttp.NewClient(safehttp.Options{AllowHTTP: true}) // now refused: stays pending
	w.happen(t, "f-2", "created", filing.EventCreated)
	require.Equal(t, 1, w.round(t))

	n, err := hooks.PruneDelivered(context.Background(), w.db, w.clock.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
	ds, err := hooks.Deliveries(context.Background(), w.db, hooks.DeliveryQuery{})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, hooks.StatusPending, ds[0].Status)
}
