package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/standardwebhooks"
)

// Webhook delivery under load: 100 filings walk from creation to approval
// at once on the shared system, their accounts' endpoints a plain, always
// answering receiver on loopback. It reports how many events per second
// reached it, and the p50 and p99 latency from the state change (the
// event's occurred_at, when the workflow recorded it) to the receipt;
// then, in the same run against the same receiver, one bare loop POSTs as
// many signed event bodies one after another, and the ratios compare the
// two. It also reports the senders' own share of the latency: from the
// transaction that scheduled a delivery to the recorded acknowledgement.
//
//	make bench-webhooks
//
// The filings' own pace bounds the delivered rate: it measures what a
// provider sees, not the senders' ceiling.
const benchWebhookFilings = 100

// benchReceiver acknowledges everything and notes when each event first
// arrived.
type benchReceiver struct {
	mu    sync.Mutex
	first map[string]time.Time
	occ   map[string]time.Time
}

func (r *benchReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	now := time.Now()
	var ev struct {
		ID         string    `json:"id"`
		OccurredAt time.Time `json:"occurred_at"`
	}
	_ = json.Unmarshal(body, &ev)
	r.mu.Lock()
	if _, ok := r.first[ev.ID]; !ok {
		r.first[ev.ID], r.occ[ev.ID] = now, ev.OccurredAt
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func BenchmarkWebhookDeliveryUnderLoad(b *testing.B) {
	rcv := &benchReceiver{first: map[string]time.Time{}, occ: map[string]time.Time{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: rcv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	b.Cleanup(func() { _ = srv.Close() })
	url := "http://" + l.Addr().String() + "/hooks"

	for range b.N {
		// An instance has five 备案服务号: four filings per account, each
		// account with an endpoint at the same receiver.
		run := rand.IntN(1_000_000)
		accounts := make([]string, benchWebhookFilings/4)
		keys := make([]string, len(accounts))
		var secret []byte
		var endpoints []string
		for i := range accounts {
			accounts[i] = fmt.Sprintf("acc-hb%06d-%02d", run, i)
			keys[i] = keyFor(b, sys.baseURL, api.RoleBackend, accounts[i])
			ep, err := apiclient.New(sys.baseURL, keys[i]).CreateWebhookEndpoint(context.Background(), filing.WebhookEndpointRequest{URL: url})
			if err != nil {
				b.Fatal(err)
			}
			secret, _ = standardwebhooks.ParseSecret(ep.Secret)
			endpoints = append(endpoints, ep.ID)
		}

		// The load: every filing walks at once.
		start := time.Now()
		var wg sync.WaitGroup
		for i := range benchWebhookFilings {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := startScenarioFor(b, accounts[i/4], "ZJ", fmt.Sprintf("hb-%d-%06d.com", i, run), "云栖压测示例")
				s.throughInitialReview()
				s.throughPhotoApproval()
				s.wait(filing.StageApproved, filing.StepNone)
			}()
		}
		wg.Wait()
		// Everything the accounts' feeds hold must have arrived.
		var feedIDs []string
		for _, key := range keys {
			cursor := ""
			for {
				page, err := apiclient.New(sys.baseURL, key).Events(context.Background(), cursor)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range page.Events {
					feedIDs = append(feedIDs, e.ID)
				}
				cursor = page.NextCursor
				if len(page.Events) == 0 {
					break
				}
			}
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			rcv.mu.Lock()
			missing := 0
			for _, id := range feedIDs {
				if _, ok := rcv.first[id]; !ok {
					missing++
				}
			}
			rcv.mu.Unlock()
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d events never arrived", missing, len(feedIDs))
			}
			time.Sleep(50 * time.Millisecond)
		}
		var latencies []time.Duration
		var last time.Time
		rcv.mu.Lock()
		for _, id := range feedIDs {
			latencies = append(latencies, rcv.first[id].Sub(rcv.occ[id]))
			last = maxTime(last, rcv.first[id])
		}
		rcv.mu.Unlock()
		elapsed := last.Sub(start)
		// The senders' share: from the transaction that scheduled a
		// delivery to its acknowledgement being recorded.
		var queued []struct{ CreatedAt, DeliveredAt time.Time }
		if err := sys.app.DB.Gorm.Raw(`SELECT created_at, delivered_at FROM webhook_deliveries_out
			WHERE endpoint_id IN ? AND delivered_at IS NOT NULL`, endpoints).Scan(&queued).Error; err != nil {
			b.Fatal(err)
		}
		var inSender []time.Duration
		for _, q := range queued {
			inSender = append(inSender, q.DeliveredAt.Sub(q.CreatedAt))
		}
		slices.Sort(inSender)
		slices.Sort(latencies)
		rate := float64(len(feedIDs)) / elapsed.Seconds()

		// The baseline: as many signed bodies POSTed one after another.
		client := &http.Client{Timeout: 10 * time.Second}
		var bare []time.Duration
		bareStart := time.Now()
		for i := range len(feedIDs) {
			body := fmt.Appendf(nil, `{"id":"evt_bare_%d","type":"filing.waiting","occurred_at":%q,"data":{}}`, i, time.Now().UTC().Format(time.RFC3339Nano))
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			for k, v := range standardwebhooks.Headers([][]byte{secret}, fmt.Sprint("evt_bare_", i), time.Now(), body) {
				req.Header[k] = v
			}
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			bare = append(bare, time.Since(t0))
		}
		bareRate := float64(len(feedIDs)) / time.Since(bareStart).Seconds()
		slices.Sort(bare)

		b.ReportMetric(float64(len(feedIDs)), "events")
		b.ReportMetric(rate, "events/s")
		b.ReportMetric(ms(pct(latencies, 50)), "p50_ms")
		b.ReportMetric(ms(pct(latencies, 99)), "p99_ms")
		b.ReportMetric(ms(pct(inSender, 50)), "scheduled_to_acked_p50_ms")
		b.ReportMetric(ms(pct(inSender, 99)), "scheduled_to_acked_p99_ms")
		b.ReportMetric(bareRate, "bare_events/s")
		b.ReportMetric(ms(pct(bare, 99)), "bare_p99_ms")
		b.ReportMetric(rate/bareRate, "rate_x_bare")
		b.ReportMetric(float64(pct(latencies, 99))/float64(pct(bare, 99)), "p99_x_bare")
	}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
