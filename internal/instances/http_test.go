package instances_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
)

const token = "tok"

// quick are client options that retry at once, so that tests do not wait
// for the production backoff.
func quick(token string) instances.HTTPOptions {
	return instances.HTTPOptions{Token: token, Options: httpcall.Options{
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		CallBudget: 5 * time.Second, Logger: slog.New(slog.DiscardHandler),
	}}
}

// overHTTP is a client of a sandbox server over sb that wants token, with
// the server's requests counted.
func overHTTP(t *testing.T, sb instances.Inventory) (*instances.HTTPClient, *partnertest.Flaky) {
	t.Helper()
	f := &partnertest.Flaky{Next: instances.NewSandboxServer(sb, token)}
	return instances.NewHTTPClient(partnertest.Serve(t, f).URL+"/", quick(token)), f
}

var _ instances.Inventory = (*instances.HTTPClient)(nil)

func TestAnInstanceReadOverHTTPIsTheOneTheSandboxScripts(t *testing.T) {
	ctx := context.Background()
	sb := instances.NewSandbox()
	owned := instances.Instance{ID: "i-owned-web01", AccountID: "acc-1", Region: "cn-shanghai", Mainland: true,
		Subscription: true, Running: true, ServiceNumberQuota: 3}
	require.NoError(t, sb.Add(owned))
	client, _ := overHTTP(t, sb)

	got, err := client.Instance(ctx, "i-hk-payg-stopped-web01")
	require.NoError(t, err)
	assert.Equal(t, instances.Instance{ID: "i-hk-payg-stopped-web01", Region: "cn-hongkong",
		ServiceNumberQuota: instances.DefaultServiceNumberQuota}, got, "not mainland, pay-as-you-go, stopped")

	for _, id := range []string{"i-bp1a2b3c4d", "i-quota1-web01", "i-foreign-web01", owned.ID} {
		want, err := sb.Instance(ctx, id)
		require.NoError(t, err)
		got, err := client.Instance(ctx, id)
		require.NoError(t, err, id)
		assert.Equal(t, want, got, id)
	}
}

func TestAnInstanceReleasedAtTheProviderIsNotFound(t *testing.T) {
	ctx := context.Background()
	client, f := overHTTP(t, instances.NewSandbox())
	for _, id := range []string{"i-released-web01", "i-ABCD1234", "x-abcd1234"} {
		before := f.Count()
		_, err := client.Instance(ctx, id)
		require.ErrorIs(t, err, instances.ErrNotFound, id)
		assert.Contains(t, err.Error(), "HTTP 404 unknown_instance", id)
		assert.Equal(t, before+1, f.Count(), "%s: an answer, not retried", id)
	}

	// No request can name an empty ID: nothing is sent.
	before := f.Count()
	_, err := client.Instance(ctx, "")
	require.ErrorIs(t, err, instances.ErrNotFound)
	assert.Equal(t, before, f.Count())
}

func TestInstanceIDsTravelPathEscaped(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	inv := inventoryFunc(func(_ context.Context, id string) (instances.Instance, error) {
		mu.Lock()
		seen = append(seen, id)
		mu.Unlock()
		return instances.Instance{ID: id}, nil
	})
	client, _ := overHTTP(t, inv)
	ids := []string{"i-web/../admin", "i-a b?c=1#d", "i-%2F", "i-实例"}
	for _, id := range ids {
		got, err := client.Instance(context.Background(), id)
		require.NoError(t, err, id)
		assert.Equal(t, id, got.ID)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, ids, seen, "the inventory was asked for exactly the IDs given")
}

func TestAWrongTokenIsRefusedAndIsNoReleasedInstance(t *testing.T) {
	srv := partnertest.Serve(t, instances.NewSandboxServer(instances.NewSandbox(), token))
	for name, tok := range map[string]string{"wrong token": "other", "no token": ""} {
		_, err := instances.NewHTTPClient(srv.URL, quick(tok)).Instance(context.Background(), "i-bp1a2b3c4d")
		require.Error(t, err, name)
		assert.NotErrorIs(t, err, instances.ErrNotFound, name)
		assert.Contains(t, err.Error(), "HTTP 401 unauthorized", name)
		assert.NotContains(t, err.Error(), token, name)
	}

	// A server without a token serves everyone.
	open := partnertest.Serve(t, instances.NewSandboxServer(instances.NewSandbox(), ""))
	_, err := instances.NewHTTPClient(open.URL, quick("")).Instance(context.Background(), "i-bp1a2b3c4d")
	require.NoError(t, err)
}

func TestAWrongBaseURLIsNoReleasedInstance(t *testing.T) {
	srv := partnertest.Serve(t, instances.NewSandboxServer(instances.NewSandbox(), token))
	_, err := instances.NewHTTPClient(srv.URL+"/elsewhere", quick(token)).Instance(context.Background(), "i-bp1a2b3c4d")
	require.Error(t, err)
	assert.NotErrorIs(t, err, instances.ErrNotFound, "a bare 404 must not make an instance look released")
	assert.Contains(t, err.Error(), "HTTP 404")
}

func TestAnInventoryOutageIsRetriedUntilItAnswers(t *testing.T) {
	f := &partnertest.Flaky{Next: instances.NewSandboxServer(instances.NewSandbox(), token),
		Spoil: partnertest.FailFirst(1, http.StatusServiceUnavailable)}
	client := instances.NewHTTPClient(partnertest.Serve(t, f).URL, quick(token))
	got, err := client.Instance(context.Background(), "i-bp1a2b3c4d")
	require.NoError(t, err)
	assert.True(t, got.Running)
	assert.Equal(t, 2, f.Count(), "503, then the instance")
}

func TestAFailingInventoryIsUnavailableNotReleased(t *testing.T) {
	// The server logs the failures; keep them out of the test output.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	t.Cleanup(func() { slog.SetDefault(prev) })
	down := inventoryFunc(func(context.Context, string) (instances.Instance, error) {
		return instances.Instance{}, errors.New("compute API down")
	})
	srv := partnertest.Serve(t, instances.NewSandboxServer(down, ""))

	res, err := http.Get(srv.URL + "/instances/i-bp1a2b3c4d")
	require.NoError(t, err)
	var answer struct{ Code string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&answer))
	_ = res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "retryable")
	assert.Equal(t, "unavailable", answer.Code)

	opts := quick("")
	opts.CallBudget = 200 * time.Millisecond
	_, err = instances.NewHTTPClient(srv.URL, opts).Instance(context.Background(), "i-bp1a2b3c4d")
	require.Error(t, err)
	assert.NotErrorIs(t, err, instances.ErrNotFound, "an outage must not make an instance look released")
}

func TestAnAnswerWithoutItsOwnerIsRefused(t *testing.T) {
	// Without account_id the instance would look usable by every account.
	srv := partnertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"instance_id":"i-bp1a2b3c4d","region":"cn-hangzhou","mainland":true,"subscription":true,"running":true,"service_number_quota":5}`))
	}))
	client := instances.NewHTTPClient(srv.URL, quick(""))
	_, err := client.Instance(context.Background(), "i-bp1a2b3c4d")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreadable instance")

	// Nor is an answer about another instance taken for the one asked for.
	_, err = client.Instance(context.Background(), "i-other-web01")
	require.Error(t, err)
	assert.NotErrorIs(t, err, instances.ErrNotFound)
}

// inventoryFunc is an Inventory answering with a function.
type inventoryFunc func(ctx context.Context, id string) (instances.Instance, error)

func (f inventoryFunc) Instance(ctx context.Context, id string) (instances.Instance, error) {
	return f(ctx, id)
}
