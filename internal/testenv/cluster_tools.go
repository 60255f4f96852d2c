package testenv

import "testing"

// ClusterTools are the pinned binaries a test needs to run the cluster
// topology (internal/cluster): `make cluster-tools` builds them and the
// Makefile exports their paths.
type ClusterTools struct {
	TemporalServer, SQLTool, Schema, UIServer, VersityGW string
}

// NeedClusterTools resolves the cluster's tools or fails the test saying
// how to build them.
func NeedClusterTools(t testing.TB) ClusterTools {
	t.Helper()
	var ct ClusterTools
	for _, x := range []struct {
		env, name string
		dst       *string
	}{
		{"BEIANFLOW_TEMPORAL_SERVER", "temporal-server", &ct.TemporalServer},
		{"BEIANFLOW_TEMPORAL_SQL_TOOL", "temporal-sql-tool", &ct.SQLTool},
		{"BEIANFLOW_TEMPORAL_SCHEMA", "temporal-schema", &ct.Schema},
		{"BEIANFLOW_TEMPORAL_UI_SERVER", "temporal-ui-server", &ct.UIServer},
		{"BEIANFLOW_VERSITYGW", "versitygw", &ct.VersityGW},
	} {
		path, err := tool(x.env, x.name)
		if err != nil {
			t.Fatalf("%v (make cluster-tools builds the cluster's)", err)
		}
		*x.dst = path
	}
	return ct
}
