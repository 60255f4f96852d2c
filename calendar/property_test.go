package calendar_test

import (
	"testing"
	"time"

	"github.com/beianflow/beianflow/calendar"
)

// TestAddBetweenRoundTrip checks, for every day of 2025–2026 at several times
// of day and every n up to 45 (longer than any bureau deadline), that
//   - AddBusinessDays lands on a business day,
//   - it keeps the wall-clock time on a business day and gives 00:00 otherwise,
//   - BusinessDaysBetween undoes it: n from a business day, n+1 from a
//     non-business day (whose next business day is consumed in full),
//   - a naive count with IsBusinessDay agrees, so the prefix-sum counting and
//     the day-by-day walk cannot drift apart,
//   - BusinessDaysBetween is antisymmetric.
func TestAddBetweenRoundTrip(t *testing.T) {
	c := calendar.Default()
	offsets := []time.Duration{0, 9*time.Hour + 30*time.Minute, 17*time.Hour + 59*time.Minute, 24*time.Hour - time.Nanosecond}
	checked := 0
	for day := at(2025, 1, 1, 0, 0); day.Year() < 2027; day = day.AddDate(0, 0, 1) {
		for _, off := range offsets {
			start := day.Add(off)
			onBusinessDay, _ := c.IsBusinessDay(start)
			for n := 0; n <= 45; n++ {
				got, _ := c.AddBusinessDays(start, n)
				checked++
				if business, _ := c.IsBusinessDay(got); !business {
					t.Fatalf("AddBusinessDays(%s, %d) = %s, not a business day", start, n, got)
				}
				wantClock := off
				wantCount := n
				if !onBusinessDay {
					wantClock, wantCount = 0, n+1
				}
				if clock := got.Sub(time.Date(got.Year(), got.Month(), got.Day(), 0, 0, 0, 0, calendar.China)); clock != wantClock {
					t.Fatalf("AddBusinessDays(%s, %d) = %s: time of day %v, want %v", start, n, got, clock, wantClock)
				}
				between, _ := c.BusinessDaysBetween(start, got)
				if between != wantCount {
					t.Fatalf("BusinessDaysBetween(%s, AddBusinessDays(_, %d) = %s) = %d, want %d", start, n, got, between, wantCount)
				}
				if back, _ := c.BusinessDaysBetween(got, start); back != -between {
					t.Fatalf("BusinessDaysBetween(%s, %s) = %d, want %d", got, start, back, -between)
				}
				naive := 0
				for d := day.AddDate(0, 0, 1); !d.After(got); d = d.AddDate(0, 0, 1) {
					if business, _ := c.IsBusinessDay(d); business {
						naive++
					}
				}
				if naive != wantCount {
					t.Fatalf("day-by-day count from %s to %s = %d, want %d", start, got, naive, wantCount)
				}
			}
		}
	}
	t.Logf("checked %d start/n combinations", checked)
}

// TestEstimatedOnlyWhenLeavingLoadedYears checks the estimated flag against
// the one rule that defines it: it is set exactly when a classified date lies
// outside 2025–2026.
func TestEstimatedOnlyWhenLeavingLoadedYears(t *testing.T) {
	c := calendar.Default()
	for day := at(2026, 11, 1, 10, 0); day.Year() < 2027; day = day.AddDate(0, 0, 1) {
		for n := 0; n <= 30; n++ {
			got, est := c.AddBusinessDays(day, n)
			if want := got.Year() > 2026; est != want {
				t.Fatalf("AddBusinessDays(%s, %d) = %s, estimated %v; want %v", day, n, got, est, want)
			}
		}
	}
}
