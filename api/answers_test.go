package api

import "testing"

// Prefer is a list of preferences with values and parameters (RFC 7240);
// only return=minimal asks for an answer without the state.
func TestOnlyReturnMinimalAsksForNoState(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   bool
	}{
		{[]string{"return=minimal"}, true},
		{[]string{"Return=\"minimal\""}, true},
		{[]string{"respond-async, return=minimal; foo=bar"}, true},
		{[]string{"wait=10", "return=minimal"}, true},
		{nil, false},
		{[]string{""}, false},
		{[]string{"return=representation"}, false},
		{[]string{"return-minimal"}, false},
		{[]string{"handling=lenient; return=minimal"}, false}, // a parameter of handling, not a preference
	} {
		if got := prefersMinimal(c.values); got != c.want {
			t.Errorf("Prefer %q: minimal %v, want %v", c.values, got, c.want)
		}
	}
}
