package calendar_test

import (
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/beianflow/beianflow/calendar"
)

// at returns a CST wall-clock instant.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.China)
}

// date parses a YYYY-MM-DD as 00:00 CST.
func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, calendar.China)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// assertInstant fails unless got is want, expressed in China.
func assertInstant(t *testing.T, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("got %s, want %s", got.Format(time.RFC3339Nano+" Mon"), want.Format(time.RFC3339Nano+" Mon"))
	}
	if got.Location() != calendar.China {
		t.Errorf("result %s is in %v, want calendar.China", got, got.Location())
	}
}

// The special days of each year as listed in the domain brief (§5), an
// independent transcription of the notices against which the data files are
// checked.
var (
	weekdaysOff = map[int][]string{
		2025: {"01-01", "01-28", "01-29", "01-30", "01-31", "02-03", "02-04", "04-04", "05-01", "05-02", "05-05", "06-02", "10-01", "10-02", "10-03", "10-06", "10-07", "10-08"},
		2026: {"01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20", "02-23", "04-06", "05-01", "05-04", "05-05", "06-19", "09-25", "10-01", "10-02", "10-05", "10-06", "10-07"},
	}
	weekendsOn = map[int][]string{
		2025: {"01-26", "02-08", "04-27", "09-28", "10-11"},
		2026: {"01-04", "02-14", "02-28", "05-09", "09-20", "10-10"},
	}
)

func TestDefaultCoversBriefYears(t *testing.T) {
	c := calendar.Default()
	if first, last := c.Years(); first != 2025 || last != 2026 {
		t.Errorf("Years() = %d, %d; want 2025, 2026", first, last)
	}
	if v := c.Version(); !regexp.MustCompile(`^cn-2025-2026-[0-9a-f]{12}$`).MatchString(v) {
		t.Errorf("Version() = %q, want cn-2025-2026-<12 hex digits>", v)
	}
	notices := c.Notices()
	if len(notices) != 2 || notices[0].Number != "国办发明电〔2024〕12号" || !notices[1].Published.Equal(at(2025, 11, 4, 0, 0)) {
		t.Errorf("Notices() = %+v", notices)
	}
}

func TestVersionIdentifiesData(t *testing.T) {
	onDisk, err := calendar.Load(os.DirFS("data"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := onDisk.Version(), calendar.Default().Version(); got != want {
		t.Errorf("same files, different versions: %q vs %q", got, want)
	}
	raw, err := os.ReadFile("data/cn-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	edited := validFS(t)
	edited["cn-2026.json"].Data = append(raw, '\n')
	c, err := calendar.Load(edited)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() == onDisk.Version() {
		t.Errorf("edited data kept version %q", c.Version())
	}
}

func TestIsBusinessDayMatchesBrief(t *testing.T) {
	c := calendar.Default()
	// Every listed day individually, so a failure names the day.
	for year, days := range weekdaysOff {
		for _, md := range days {
			d := date(t, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-")+md)
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%s: brief lists it as a weekday off but it is a %s", d.Format(time.DateOnly), wd)
			}
			if business, est := c.IsBusinessDay(d); business || est {
				t.Errorf("%s (holiday on a %s): IsBusinessDay = %v, estimated %v; want false, false", d.Format(time.DateOnly), d.Weekday(), business, est)
			}
		}
	}
	for year, days := range weekendsOn {
		for _, md := range days {
			d := date(t, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-")+md)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Errorf("%s: brief lists it as a make-up weekend day but it is a %s", d.Format(time.DateOnly), wd)
			}
			if business, est := c.IsBusinessDay(d); !business || est {
				t.Errorf("%s (make-up %s): IsBusinessDay = %v, estimated %v; want true, false", d.Format(time.DateOnly), d.Weekday(), business, est)
			}
		}
	}

	// Every other day of both years follows the plain weekday rule.
	special := map[string]bool{}
	for _, lists := range []map[int][]string{weekdaysOff, weekendsOn} {
		for year, days := range lists {
			for _, md := range days {
				special[time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-")+md] = true
			}
		}
	}
	for d := at(2025, 1, 1, 12, 0); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		if special[d.Format(time.DateOnly)] {
			continue
		}
		want := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		if business, est := c.IsBusinessDay(d); business != want || est {
			t.Errorf("%s (%s, ordinary): IsBusinessDay = %v, estimated %v; want %v, false", d.Format(time.DateOnly), d.Weekday(), business, est, want)
		}
	}
}

func TestIsBusinessDay(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name                string
		t                   time.Time
		business, estimated bool
	}{
		{"ordinary Tuesday", at(2026, 3, 10, 10, 0), true, false},
		{"ordinary Saturday", at(2026, 3, 14, 10, 0), false, false},
		{"ordinary Sunday", at(2025, 7, 6, 10, 0), false, false},
		{"Saturday inside a holiday", at(2026, 10, 3, 10, 0), false, false},
		{"last instant of a make-up Saturday", time.Date(2026, 2, 14, 23, 59, 59, 999999999, calendar.China), true, false},
		{"first instant after a make-up Saturday", at(2026, 2, 15, 0, 0), false, false},
		// 16:30 UTC Friday is already 00:30 Saturday in Beijing.
		{"UTC instant classified by its CST date", time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), true, false},
		{"UTC instant on a CST holiday", time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC), false, false},
		{"Monday 2027-03-01 after the loaded years", at(2027, 3, 1, 10, 0), true, true},
		{"Saturday 2027-03-06 after the loaded years", at(2027, 3, 6, 10, 0), false, true},
		{"Tuesday 2024-12-31 before the loaded years", at(2024, 12, 31, 10, 0), true, true},
		{"2027-01-01 is a weekday, not yet known as a holiday", at(2027, 1, 1, 10, 0), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			business, est := c.IsBusinessDay(tt.t)
			if business != tt.business || est != tt.estimated {
				t.Errorf("IsBusinessDay(%s) = %v, %v; want %v, %v", tt.t, business, est, tt.business, tt.estimated)
			}
		})
	}
}

func TestAddBusinessDays(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name      string
		start     time.Time
		n         int
		want      time.Time
		estimated bool
	}{
		{"submitted Friday 2026-02-13 17:00, one business day later: the make-up Saturday counts",
			at(2026, 2, 13, 17, 0), 1, at(2026, 2, 14, 17, 0), false},
		{"submitted Friday 2026-02-13 17:00, two business days later: Spring Festival 02-15..02-23 skipped",
			at(2026, 2, 13, 17, 0), 2, at(2026, 2, 24, 17, 0), false},
		// 20 business days from Mon 2026-09-21, by hand:
		//   09-22 Tue 1, 09-23 Wed 2, 09-24 Thu 3,
		//   09-25 Fri 中秋节 off, 09-26/27 weekend (中秋节) off,
		//   09-28 Mon 4, 09-29 Tue 5, 09-30 Wed 6,
		//   10-01 Thu .. 10-07 Wed 国庆节 off,
		//   10-08 Thu 7, 10-09 Fri 8, 10-10 Sat make-up 9, 10-11 Sun off,
		//   10-12 Mon 10 .. 10-16 Fri 14, 10-19 Mon 15 .. 10-23 Fri 19,
		//   10-26 Mon 20.
		{"20 business days from 2026-09-21 (Mon) 10:00, across Mid-Autumn and National Day",
			at(2026, 9, 21, 10, 0), 20, at(2026, 10, 26, 10, 0), false},
		{"zero days on a business day is the instant itself",
			at(2026, 9, 21, 10, 0), 0, at(2026, 9, 21, 10, 0), false},
		{"zero days on a holiday is the start of the next business day",
			at(2026, 10, 3, 15, 0), 0, at(2026, 10, 8, 0, 0), false},
		{"Sunday 10:00 plus one business day is Tuesday 00:00: all of Monday elapsed",
			at(2026, 3, 8, 10, 0), 1, at(2026, 3, 10, 0, 0), false},
		{"Sunday 2026-02-15 in Spring Festival plus one: 02-24 then 02-25 00:00",
			at(2026, 2, 15, 10, 0), 1, at(2026, 2, 25, 0, 0), false},
		{"nanoseconds of the wall-clock time are kept",
			time.Date(2026, 4, 3, 9, 30, 15, 123456789, calendar.China), 1, time.Date(2026, 4, 7, 9, 30, 15, 123456789, calendar.China), false},
		{"a UTC input is answered in China time",
			time.Date(2026, 2, 13, 9, 0, 0, 0, time.UTC), 1, at(2026, 2, 14, 17, 0), false},
		{"crossing from 2026 into 2027 is estimated",
			at(2026, 12, 30, 10, 0), 3, at(2027, 1, 4, 10, 0), true},
		{"ending on 2026-12-31 is not estimated",
			at(2026, 12, 30, 10, 0), 1, at(2026, 12, 31, 10, 0), false},
		{"starting on 2024-12-31 is estimated even though the rest is known",
			at(2024, 12, 31, 10, 0), 1, at(2025, 1, 2, 10, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, est := c.AddBusinessDays(tt.start, tt.n)
			assertInstant(t, got, tt.want)
			if est != tt.estimated {
				t.Errorf("estimated = %v, want %v", est, tt.estimated)
			}
		})
	}
}

func TestAddBusinessDaysRejectsNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AddBusinessDays(t, -1) did not panic")
		}
	}()
	calendar.Default().AddBusinessDays(at(2026, 3, 10, 10, 0), -1)
}

func TestNextBusinessDayStart(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name      string
		t         time.Time
		want      time.Time
		estimated bool
	}{
		{"ordinary Monday to Tuesday", at(2026, 3, 9, 23, 0), at(2026, 3, 10, 0, 0), false},
		{"Friday before a make-up Saturday", at(2026, 2, 13, 9, 0), at(2026, 2, 14, 0, 0), false},
		{"make-up Saturday over Spring Festival", at(2026, 2, 14, 0, 0), at(2026, 2, 24, 0, 0), false},
		{"strictly after the date even at midnight", at(2026, 3, 10, 0, 0), at(2026, 3, 11, 0, 0), false},
		{"last business day of 2026 into 2027", at(2026, 12, 31, 12, 0), at(2027, 1, 1, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, est := c.NextBusinessDayStart(tt.t)
			assertInstant(t, got, tt.want)
			if est != tt.estimated {
				t.Errorf("estimated = %v, want %v", est, tt.estimated)
			}
		})
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name      string
		from, to  time.Time
		want      int
		estimated bool
	}{
		{"same day", at(2026, 3, 10, 9, 0), at(2026, 3, 10, 18, 0), 0, false},
		{"Friday to the make-up Saturday", at(2026, 2, 13, 17, 0), at(2026, 2, 14, 8, 0), 1, false},
		{"Friday across Spring Festival to Tuesday", at(2026, 2, 13, 17, 0), at(2026, 2, 24, 17, 0), 2, false},
		{"the bureau's 20-day clock from 2026-09-21", at(2026, 9, 21, 10, 0), at(2026, 10, 26, 10, 0), 20, false},
		{"backwards is mirrored", at(2026, 10, 26, 10, 0), at(2026, 9, 21, 10, 0), -20, false},
		{"whole year 2025: 365 days - 104 weekend days - 18 weekdays off + 5 make-up days", at(2024, 12, 31, 12, 0), at(2025, 12, 31, 12, 0), 248, false},
		{"whole year 2026: 365 - 104 - 19 + 6", at(2025, 12, 31, 12, 0), at(2026, 12, 31, 12, 0), 248, false},
		{"into 2027 is estimated", at(2026, 12, 31, 12, 0), at(2027, 1, 4, 12, 0), 2, true},
		{"from 2024 is estimated when a 2024 date is counted", at(2024, 12, 30, 12, 0), at(2025, 1, 2, 12, 0), 2, true},
		{"a zero time.Time is far outside and estimated", time.Time{}, at(2025, 1, 1, 0, 0), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, est := c.BusinessDaysBetween(tt.from, tt.to)
			if tt.from.IsZero() {
				// Only the sign and the flag are meaningful for the zero time.
				if got <= 0 || !est {
					t.Errorf("got %d, %v; want a large positive estimate", got, est)
				}
				return
			}
			if got != tt.want || est != tt.estimated {
				t.Errorf("got %d, estimated %v; want %d, %v", got, est, tt.want, tt.estimated)
			}
		})
	}
}

func TestNextWindowOpen(t *testing.T) {
	c := calendar.Default()
	office := calendar.Window{Open: 9 * time.Hour, Close: 18 * time.Hour}
	tests := []struct {
		name      string
		t         time.Time
		want      time.Time
		estimated bool
	}{
		{"Wednesday 2026-09-30 20:00, after hours before National Day", at(2026, 9, 30, 20, 0), at(2026, 10, 8, 9, 0), false},
		{"make-up Saturday 2026-10-10 08:00, before opening", at(2026, 10, 10, 8, 0), at(2026, 10, 10, 9, 0), false},
		{"make-up Sunday 2026-09-20 12:00, open now", at(2026, 9, 20, 12, 0), at(2026, 9, 20, 12, 0), false},
		{"Friday 2026-02-13 18:00, Close is exclusive", at(2026, 2, 13, 18, 0), at(2026, 2, 14, 9, 0), false},
		{"Friday 2026-02-13 17:59:59.999999999 is still open", time.Date(2026, 2, 13, 17, 59, 59, 999999999, calendar.China), time.Date(2026, 2, 13, 17, 59, 59, 999999999, calendar.China), false},
		{"exactly at Open is open", at(2026, 3, 10, 9, 0), at(2026, 3, 10, 9, 0), false},
		{"holiday morning waits for the next business day", at(2026, 10, 5, 10, 0), at(2026, 10, 8, 9, 0), false},
		{"New Year's Eve 2026 evening: 2027 is estimated", at(2026, 12, 31, 19, 0), at(2027, 1, 1, 9, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, est := c.NextWindowOpen(tt.t, office)
			assertInstant(t, got, tt.want)
			if est != tt.estimated {
				t.Errorf("estimated = %v, want %v", est, tt.estimated)
			}
		})
	}
}

func TestNextWindowOpenAllDay(t *testing.T) {
	got, _ := calendar.Default().NextWindowOpen(at(2026, 3, 10, 23, 59), calendar.Window{Open: 0, Close: 24 * time.Hour})
	assertInstant(t, got, at(2026, 3, 10, 23, 59))
}

func TestWindowValidate(t *testing.T) {
	tests := []struct {
		name  string
		w     calendar.Window
		valid bool
	}{
		{"office hours", calendar.Window{Open: 9 * time.Hour, Close: 18 * time.Hour}, true},
		{"whole day", calendar.Window{Open: 0, Close: 24 * time.Hour}, true},
		{"empty", calendar.Window{Open: 9 * time.Hour, Close: 9 * time.Hour}, false},
		{"reversed", calendar.Window{Open: 18 * time.Hour, Close: 9 * time.Hour}, false},
		{"past midnight", calendar.Window{Open: 22 * time.Hour, Close: 26 * time.Hour}, false},
		{"negative open", calendar.Window{Open: -time.Hour, Close: 9 * time.Hour}, false},
		{"zero value", calendar.Window{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.w.Validate(); (err == nil) != tt.valid {
				t.Errorf("Validate() = %v, want valid %v", err, tt.valid)
			}
		})
	}
}

func TestNextWindowOpenRejectsInvalidWindow(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NextWindowOpen with an empty window did not panic")
		}
	}()
	calendar.Default().NextWindowOpen(at(2026, 3, 10, 10, 0), calendar.Window{})
}

func TestHolidayName(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		t         time.Time
		want      string
		estimated bool
	}{
		{at(2026, 10, 3, 10, 0), "国庆节", false},
		{at(2025, 10, 5, 10, 0), "国庆节、中秋节", false},
		{at(2026, 2, 15, 10, 0), "春节", false}, // a Sunday inside the range
		{at(2026, 2, 23, 23, 59), "春节", false},
		{at(2026, 1, 1, 0, 0), "元旦", false},
		{at(2025, 6, 2, 0, 0), "端午节", false},
		{at(2026, 2, 14, 10, 0), "", false}, // make-up Saturday
		{at(2026, 3, 10, 10, 0), "", false},
		{at(2027, 1, 1, 10, 0), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.t.Format(time.DateOnly), func(t *testing.T) {
			got, est := c.HolidayName(tt.t)
			if got != tt.want || est != tt.estimated {
				t.Errorf("HolidayName = %q, %v; want %q, %v", got, est, tt.want, tt.estimated)
			}
		})
	}
}

func BenchmarkAddBusinessDays20(b *testing.B) {
	c := calendar.Default()
	start := at(2026, 9, 21, 10, 0)
	want := at(2026, 10, 26, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		if got, _ := c.AddBusinessDays(start, 20); !got.Equal(want) {
			b.Fatalf("got %s", got)
		}
	}
}
