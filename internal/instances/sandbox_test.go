package instances_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/instances"
)

var _ instances.Inventory = (*instances.Sandbox)(nil)

func TestSandboxMarkersScriptTheInstance(t *testing.T) {
	ordinary := instances.Instance{Region: "cn-hangzhou", Mainland: true, Subscription: true, Running: true, ServiceNumberQuota: 5}
	tests := []struct {
		id   string
		want func(i *instances.Instance)
	}{
		{"i-bp1a2b3c4d", func(*instances.Instance) {}},
		{"i-hk-web01", func(i *instances.Instance) { i.Region, i.Mainland = "cn-hongkong", false }},
		{"i-web01-payg", func(i *instances.Instance) { i.Subscription = false }},
		{"i-web01-stopped-1", func(i *instances.Instance) { i.Running = false }},
		{"i-quota1-web01", func(i *instances.Instance) { i.ServiceNumberQuota = 1 }},
		{"i-quota0-web01", func(i *instances.Instance) { i.ServiceNumberQuota = 0 }},
		{"i-foreign-web01", func(i *instances.Instance) { i.AccountID = "acc-foreign" }},
		{"i-hk-payg-stopped-web01", func(i *instances.Instance) {
			i.Region, i.Mainland, i.Subscription, i.Running = "cn-hongkong", false, false, false
		}},
		// Markers are whole segments, not substrings.
		{"i-hkg-payground", func(*instances.Instance) {}},
	}
	sb := instances.NewSandbox()
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			want := ordinary
			want.ID = tt.id
			tt.want(&want)
			got, err := sb.Instance(context.Background(), tt.id)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestSandboxInstancesThatDoNotExist(t *testing.T) {
	sb := instances.NewSandbox()
	for _, id := range []string{"", "i-abc", "i-ABCD1234", "x-abcd1234", "i-abcd_1234", "i-released-web01"} {
		_, err := sb.Instance(context.Background(), id)
		assert.ErrorIs(t, err, instances.ErrNotFound, id)
	}
}

func TestSandboxRegisteredInstanceWinsOverMarkers(t *testing.T) {
	sb := instances.NewSandbox()
	inst := instances.Instance{ID: "i-hk-owned", AccountID: "acc-1", Region: "cn-shanghai", Mainland: true,
		Subscription: true, Running: true, ServiceNumberQuota: 3}
	require.NoError(t, sb.Add(inst))
	got, err := sb.Instance(context.Background(), inst.ID)
	require.NoError(t, err)
	assert.Equal(t, inst, got)

	// Re-registering changes the instance mid-scenario, e.g. it was stopped.
	inst.Running = false
	require.NoError(t, sb.Add(inst))
	got, err = sb.Instance(context.Background(), inst.ID)
	require.NoError(t, err)
	assert.False(t, got.Running)

	assert.Error(t, sb.Add(instances.Instance{ID: "not-an-instance"}))
}
