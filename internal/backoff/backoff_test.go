package backoff

import (
	"net/http"
	"testing"
	"time"
)

func TestEachRetryWaitsUpToTwiceAsLongAndNeverPastTheCeiling(t *testing.T) {
	base, ceiling := 100*time.Millisecond, 2*time.Second
	for attempt, full := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: 1600 * time.Millisecond, 6: ceiling, 40: ceiling} {
		for range 50 {
			if d := Jittered(attempt, base, ceiling); d < full/2 || d > full {
				t.Fatalf("attempt %d waited %v, want within [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
	if d := Jittered(3, 0, 0); d != 0 {
		t.Errorf("no ceiling waits %v, want 0", d)
	}
}

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":     0,
		" 7 ":  7 * time.Second,
		"-3":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}
