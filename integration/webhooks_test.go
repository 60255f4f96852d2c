package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	reference "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/testenv"
)

// flakyReceiver is a provider backend's webhook endpoint that fails or
// times out at random for half its answers and can be down for a stretch
// (nothing listening on its port). It verifies every delivery with the
// Standard Webhooks reference library and keeps what it saw.
type flakyReceiver struct {
	addr   string
	hook   *reference.Webhook
	secret string

	mu       sync.Mutex
	srv      *http.Server
	rnd      *rand.Rand
	arrivals []arrival      // every request, in order of arrival
	acked    map[string]int // event ID → 2xx answers given
	bad      []string       // what failed verification
	events   map[string]filing.Event
}

// arrival is one request: which event, and whether it was acknowledged.
type arrival struct {
	event filing.Event
	acked bool
}

func newFlakyReceiver(t testing.TB) *flakyReceiver {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &flakyReceiver{addr: l.Addr().String(), rnd: rand.New(rand.NewPCG(1, 2)),
		acked: map[string]int{}, events: map[string]filing.Event{}}
	r.serve(l)
	t.Cleanup(r.stop)
	return r
}

func (r *flakyReceiver) serve(l net.Listener) {
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// stop takes the endpoint down: connections are refused.
func (r *flakyReceiver) stop() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// start brings it back on the same port.
func (r *flakyReceiver) start() {
	for {
		l, err := net.Listen("tcp", r.addr)
		if err == nil {
			r.serve(l)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *flakyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	if r.hook == nil {
		r.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable) // not set up yet
		return
	}
	var ev filing.Event
	if err := r.hook.Verify(body, req.Header); err != nil || json.Unmarshal(body, &ev) != nil {
		r.bad = append(r.bad, req.Header.Get("webhook-id"))
		r.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	roll := r.rnd.IntN(4)
	r.mu.Unlock()
	switch roll {
	case 0: // a failure
		r.record(ev, false)
		w.WriteHeader(http.StatusInternalServerError)
	case 1: // too slow: the sender gives up after 500 ms
		r.record(ev, false)
		time.Sleep(700 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	default:
		r.record(ev, true)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (r *flakyReceiver) record(ev filing.Event, acked bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.arrivals = append(r.arrivals, arrival{event: ev, acked: acked})
	r.events[ev.ID] = ev
	if acked {
		r.acked[ev.ID]++
	}
}

func (r *flakyReceiver) snapshot() ([]arrival, map[string]int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	acked := make(map[string]int, len(r.acked))
	for k, v := range r.acked {
		acked[k] = v
	}
	return append([]arrival(nil), r.arrivals...), acked, append([]string(nil), r.bad...)
}

// Several complete filings of one account are pushed to a receiver that
// fails or times out for half its answers and is down for a stretch:
// every event of the feed arrives, each filing's in order, signed as the
// Standard Webhooks reference library checks, and a duplicate only as the
// retry of an event that was not acknowledged.
func TestEveryEventReachesAFlakyReceiverInOrderPerFiling(t *testing.T) {
	t.Parallel()
	account := fmt.Sprintf("acc-hooks-%06d", rand.IntN(1_000_000))
	backend := keyFor(t, sys.baseURL, api.RoleBackend, account)
	rcv := newFlakyReceiver(t)
	client := apiclient.New(sys.baseURL, backend)
	ep, err := client.CreateWebhookEndpoint(context.Background(), filing.WebhookEndpointRequest{URL: "http://" + rcv.addr + "/beianflow"})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(ep.Secret, "whsec_"))
	hook, err := reference.NewWebhook(ep.Secret)
	require.NoError(t, err)
	rcv.mu.Lock()
	rcv.hook, rcv.secret = hook, ep.Secret
	rcv.mu.Unlock()

	// Four filings walk to approval at once; a third of the way in, the
	// receiver is down for two seconds.
	const filings = 4
	ids := make([]string, filings)
	var wg sync.WaitGroup
	t.Run("walks", func(t *testing.T) {
		for i := range filings {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				s := startScenarioFor(t, account, "ZJ", fmt.Sprintf("hooks-%d-%s.com", i, account[10:]), "云栖推送示例")
				ids[i] = s.id
				s.throughInitialReview()
				s.throughPhotoApproval()
				s.wait(filing.StageApproved, filing.StepNone)
			})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(1500 * time.Millisecond)
			rcv.stop()
			time.Sleep(2 * time.Second)
			rcv.start()
		}()
	})
	wg.Wait()
	if t.Failed() {
		return
	}

	// What the feed holds is what must arrive.
	want := map[string][]filing.Event{}
	for _, id := range ids {
		evs, _ := feedOf(t, "/v1/filings/"+id+"/events", backend, filing.EventApproved)
		want[id] = evs
	}
	var arrivals []arrival
	var acked map[string]int
	require.Eventually(t, func() bool {
		arrivals, acked, _ = rcv.snapshot()
		for _, evs := range want {
			for _, e := range evs {
				if acked[e.ID] == 0 {
					return false
				}
			}
		}
		return true
	}, 2*time.Minute, 100*time.Millisecond, "every event of the feed acknowledged: %s", unacknowledged(t, want, rcv))
	_, _, bad := rcv.snapshot()
	assert.Empty(t, bad, "every delivery verifies with the reference library")

	retries := 0
	for id, n := range acked {
		assert.Equal(t, 1, n, "%s acknowledged once: a duplicate is only the retry of one that was not", id)
	}
	// Each filing's events first arrived in sequence order, every one of
	// them; an event arrives again only while it was not acknowledged.
	for _, id := range ids {
		var firsts []int64
		seen := map[string]bool{}
		ackedYet := map[string]bool{}
		for _, a := range arrivals {
			if a.event.FilingID != filing.ID(id) {
				continue
			}
			if seen[a.event.ID] {
				retries++
				assert.False(t, ackedYet[a.event.ID], "%s came again after it was acknowledged", a.event.ID)
			} else {
				firsts = append(firsts, a.event.Sequence)
				seen[a.event.ID] = true
			}
			if a.acked {
				ackedYet[a.event.ID] = true
			}
		}
		var wantSeqs []int64
		for _, e := range want[id] {
			wantSeqs = append(wantSeqs, e.Sequence)
		}
		assert.Equal(t, wantSeqs, firsts, "filing %s: every event, first arriving in order", id)
	}
	assert.Positive(t, retries, "the receiver's failures were retried")
	t.Logf("%d filings, %d events, %d requests, %d retries", filings, len(acked), len(arrivals), retries)

	// Support sees the deliveries and can send one again, on the record.
	support := keyFor(t, sys.baseURL, api.RoleSupport, "")
	res := sendWithKey(t, http.MethodGet, "/v1/support/webhook-deliveries?endpoint_id="+ep.ID+"&status=delivered&limit=500", support, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Len(t, res.Body["deliveries"], len(acked))
	first := want[ids[0]][0]
	res = sendWithKey(t, http.MethodPost, "/v1/support/webhook-deliveries/redeliver", support,
		fmt.Sprintf(`{"endpoint_id":%q,"event_id":%q,"reason":"receiver_restored"}`, ep.ID, first.ID))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Equal(t, "receiver_restored", res.Body["redelivery_reason"])
	assert.True(t, strings.HasPrefix(res.Body["redelivered_by"].(string), "support:"))
	require.Eventually(t, func() bool {
		_, acked, _ := rcv.snapshot()
		return acked[first.ID] == 2
	}, 30*time.Second, 50*time.Millisecond, "redelivered by hand")
}

// unacknowledged lists the events the receiver has not acknowledged, with
// what their deliveries say, for a failure's message.
func unacknowledged(t *testing.T, want map[string][]filing.Event, rcv *flakyReceiver) string {
	_, acked, _ := rcv.snapshot()
	var out []string
	for _, evs := range want {
		for _, e := range evs {
			if acked[e.ID] > 0 {
				continue
			}
			var row struct {
				Status, LastError      string
				Attempts               int
				NextAttemptAt          time.Time
				LockedUntil, CreatedAt *time.Time
			}
			_ = sys.app.DB.Gorm.Raw(`SELECT status, last_error, attempts, next_attempt_at, locked_until, created_at
				FROM webhook_deliveries_out WHERE event_id = ?`, e.ID).Scan(&row).Error
			out = append(out, fmt.Sprintf("%s %s #%d: %+v", e.FilingID, e.Type, e.Sequence, row))
		}
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… and %d more", len(out)-10))
	}
	return strings.Join(out, "; ")
}

// startScenarioFor creates a filing of account through the shared API and
// fills it in.
func startScenarioFor(t testing.TB, account, province, domain, name string) *scenario {
	t.Helper()
	company := newCompany(province)
	res := doAt(t, sys.baseURL, http.MethodPost, "/v1/filings", "application/json", createBody(account, province, domain, company))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor(province, company, domain, name), base: sys.baseURL}
	s.fill()
	return s
}

// Endpoints are the account's own, their URLs are checked against our
// network, and a rotation hands out a new secret once.
func TestAnAccountManagesItsWebhookEndpoints(t *testing.T) {
	t.Parallel()
	// A database of its own: its senders, which refuse loopback, must not
	// take the other tests' deliveries to their loopback receivers.
	dbURL, drop, err := testenv.Postgres(context.Background())
	require.NoError(t, err)
	t.Cleanup(drop)
	strict := startSystem(t, "hooks-strict", func(c *config.Config) {
		c.Deliveries.AllowInsecureURLs, c.DatabaseURL = false, dbURL
	})
	backend := keyFor(t, strict, api.RoleBackend, "acc-hooks-manage")
	for _, u := range []string{"http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest"} {
		res := sendWithKeyAt(t, strict, http.MethodPost, "/v1/webhook-endpoints", backend, fmt.Sprintf(`{"url":%q}`, u))
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", u, res.Raw)
		assert.Equal(t, "url", res.Body["field"], u)
	}
	res := sendWithKeyAt(t, strict, http.MethodPost, "/v1/webhook-endpoints", backend, `{"url":"https://hooks.example.com/x","event_types":["filing.nope"]}`)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, "event_types", res.Body["field"])

	res = sendWithKeyAt(t, strict, http.MethodPost, "/v1/webhook-endpoints", backend, `{"url":"https://hooks.example.com/x","event_types":["filing.approved"]}`)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	id, secret := res.Body["id"].(string), res.Body["secret"].(string)
	got := sendWithKeyAt(t, strict, http.MethodGet, "/v1/webhook-endpoints/"+id, backend, "")
	require.Equal(t, http.StatusOK, got.Status)
	assert.NotContains(t, got.Body, "secret", "shown once")
	other := keyFor(t, strict, api.RoleBackend, "acc-hooks-other")
	assert.Equal(t, http.StatusNotFound, sendWithKeyAt(t, strict, http.MethodGet, "/v1/webhook-endpoints/"+id, other, "").Status)

	rot := sendWithKeyAt(t, strict, http.MethodPost, "/v1/webhook-endpoints/"+id+"/rotate-secret", backend, `{"previous_valid_for":"1h"}`)
	require.Equal(t, http.StatusOK, rot.Status, "%s", rot.Raw)
	assert.NotEqual(t, secret, rot.Body["secret"])
	assert.NotEmpty(t, rot.Body["previous_secret_until"])

	off := sendWithKeyAt(t, strict, http.MethodPatch, "/v1/webhook-endpoints/"+id, backend, `{"enabled":false}`)
	require.Equal(t, http.StatusOK, off.Status, "%s", off.Raw)
	assert.Equal(t, "disabled", off.Body["status"])
	assert.Equal(t, "by_account", off.Body["disabled_reason"])
	assert.Equal(t, http.StatusNoContent, sendWithKeyAt(t, strict, http.MethodDelete, "/v1/webhook-endpoints/"+id, backend, "").Status)
	assert.Equal(t, http.StatusNotFound, sendWithKeyAt(t, strict, http.MethodGet, "/v1/webhook-endpoints/"+id, backend, "").Status)

	// The Go client verifies what the reference library signs with the
	// secret, and nothing else.
	hook, err := reference.NewWebhook(secret)
	require.NoError(t, err)
	body := []byte(`{"id":"evt_1","type":"filing.approved","version":"1","filing_id":"f","account_id":"a","sequence":1,"occurred_at":"2026-12-04T00:00:00Z","data":{}}`)
	sig, err := hook.Sign("evt_1", time.Now(), body)
	require.NoError(t, err)
	h := http.Header{"Webhook-Id": {"evt_1"}, "Webhook-Timestamp": {fmt.Sprint(time.Now().Unix())}, "Webhook-Signature": {sig}}
	ev, err := apiclient.VerifyWebhook([]string{secret}, h, body)
	require.NoError(t, err)
	assert.Equal(t, filing.EventApproved, ev.Type)
	_, err = apiclient.VerifyWebhook([]string{rot.Body["secret"].(string)}, h, body)
	assert.Error(t, err, "another secret")
	_, err = apiclient.VerifyWebhook([]string{secret}, h, append(body[:len(body)-1:len(body)-1], ' ', '}'))
	assert.Error(t, err, "another body")
}
