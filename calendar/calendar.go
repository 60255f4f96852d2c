// Package calendar is the Chinese business-day (工作日) calendar that filing
// deadlines are computed with, e.g. the 20-business-day limit for a
// provincial bureau's (管局) review.
//
// A business day is a day on which government offices work: Monday to Friday,
// minus the statutory holidays announced yearly by the State Council General
// Office, plus the make-up working days (调休上班) it moves onto Saturdays and
// Sundays. The notices cannot be derived from a rule, so each year is data: one
// JSON file in data/, embedded at build time. Adding a year means adding a
// file; see data/README.md.
//
// All dates are calendar dates in China Standard Time (UTC+8, no daylight
// saving). An instant is classified by its CST date whatever location it
// carries, and every returned time.Time is in [China].
//
// # Estimates
//
// Every computation also reports whether it is estimated: true when it had
// to classify at least one date outside the loaded years, which it then did by
// weekday alone (Monday–Friday business, Saturday/Sunday not). A deadline
// computed that way may be off by the holidays of a year whose notice is not
// yet published, so callers should record the flag and recompute once the
// data exists rather than trust the result silently.
//
// # Determinism
//
// The package is safe to call from Temporal workflow code: it never reads the
// clock, the environment or the filesystem at run time, starts no goroutines
// and its results depend only on the arguments and the loaded data. Record
// [Calendar.Version] with each deadline so a replay or an audit can tell which
// data produced it.
package calendar

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"
)

const (
	chinaOffset   = 8 * 60 * 60 // seconds east of UTC
	secondsPerDay = 24 * 60 * 60
	oneDay        = 24 * time.Hour
)

// China is China Standard Time as a fixed UTC+8 zone. A fixed zone is used
// instead of time.LoadLocation("Asia/Shanghai") so results do not depend on
// the tzdata installed on a worker; China has not observed daylight saving
// since 1991, so the two agree for every date this package handles.
var China = time.FixedZone("CST", chinaOffset)

// Calendar classifies CST dates as business days. It is immutable after
// construction and safe for concurrent use. Obtain one from [Default] or
// [Load]; the zero value has no data and estimates every date.
type Calendar struct {
	firstYear, lastYear int
	// firstDay is the day number (days since 1970-01-01) of January 1 of
	// firstYear; business and cum are indexed by day number minus firstDay.
	// A dense slice rather than a map keeps lookups allocation-free and makes
	// counting over a range a subtraction of prefix sums.
	firstDay int
	business []bool
	cum      []int // cum[i] = number of business days in business[:i]
	holidays []holiday
	notices  []Notice
	version  string
}

// holiday is a named range of days off, inclusive on both ends.
type holiday struct {
	first, last int // day numbers
	name        string
}

// Notice identifies the official notice a year's data was transcribed from,
// so the provenance of a deadline can be shown to an auditor.
type Notice struct {
	Year  int    // the year the notice schedules
	Title string // e.g. 国务院办公厅关于2025年部分节假日安排的通知
	// Number is the document number, e.g. 国办发明电〔2024〕12号; empty when
	// the published text does not carry one.
	Number    string
	Published time.Time // publication date, 00:00 in China
	Source    string    // URL of the text the data was checked against
}

//go:embed data/*.json
var embedded embed.FS

var loadDefault = sync.OnceValue(func() *Calendar {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(fmt.Errorf("calendar: embedded data: %w", err))
	}
	c, err := Load(sub)
	if err != nil {
		panic(fmt.Errorf("calendar: embedded data is invalid: %w", err))
	}
	return c
})

// Default returns the calendar built from the data embedded in the binary.
// It is loaded on first use and shared afterwards. It panics if the embedded
// data is invalid, which the package tests rule out for every build.
func Default() *Calendar { return loadDefault() }

// Version identifies the loaded data, e.g. "cn-2025-2026-1a2b3c4d5e6f": the
// first and last year plus a hash of the data files' contents. Any edit to a
// data file changes it, so equal versions mean identical inputs.
func (c *Calendar) Version() string { return c.version }

// Years returns the first and last year whose notices are loaded. Dates
// outside [first, last] are estimated.
func (c *Calendar) Years() (first, last int) { return c.firstYear, c.lastYear }

// Notices returns the notices the loaded years come from, in year order.
func (c *Calendar) Notices() []Notice { return slices.Clone(c.notices) }

// IsBusinessDay reports whether t's CST date is a business day.
func (c *Calendar) IsBusinessDay(t time.Time) (business, estimated bool) {
	return c.classify(dayNumber(t))
}

// HolidayName returns the name of the statutory holiday whose days off
// include t's CST date, e.g. "国庆节", for display. Weekend days inside the
// range count (2026-02-15, a Sunday, is "春节"); a make-up working day
// returns "". Unlike a comma-ok result, the bool is the package-wide
// estimated flag: true means t's year is not loaded, so the name is "" for
// lack of data rather than because the day is ordinary.
func (c *Calendar) HolidayName(t time.Time) (name string, estimated bool) {
	d := dayNumber(t)
	if !c.loaded(d) {
		return "", true
	}
	i, found := slices.BinarySearchFunc(c.holidays, d, func(h holiday, d int) int {
		switch {
		case h.last < d:
			return -1
		case h.first > d:
			return 1
		}
		return 0
	})
	if !found {
		return "", false
	}
	return c.holidays[i].name, false
}

// AddBusinessDays returns the instant n business days after t. n must not be
// negative; a negative n panics because it is a programming error that no
// retry would fix.
//
// If t's CST date is a business day, the result has t's CST wall-clock time
// on the n-th business day after that date, so n == 0 returns t. If t falls on
// a non-business day nothing can elapse until offices reopen, so counting
// starts at 00:00 of the next business day: n == 0 returns that start, and a
// Sunday 10:00 plus one business day is 00:00 of the business day after next,
// i.e. one full business day has passed.
//
// For t on a business day, BusinessDaysBetween(t, AddBusinessDays(t, n)) == n;
// for t on a non-business day it is n+1, because the day counting starts on is
// itself consumed in full.
func (c *Calendar) AddBusinessDays(t time.Time, n int) (time.Time, bool) {
	if n < 0 {
		panic(fmt.Sprintf("calendar: AddBusinessDays with negative n %d", n))
	}
	t = t.In(China)
	d := dayNumber(t)
	business, estimated := c.classify(d)
	if !business {
		next, est := c.nthBusinessDayAfter(d, 1)
		t, d, estimated = startOfDay(next), next, estimated || est
	}
	target, est := c.nthBusinessDayAfter(d, n)
	return t.Add(time.Duration(target-d) * oneDay), estimated || est
}

// NextBusinessDayStart returns 00:00 CST of the first business day strictly
// after t's CST date, whether or not that date is itself a business day. Only
// the days after t's date are classified for the estimated flag.
func (c *Calendar) NextBusinessDayStart(t time.Time) (time.Time, bool) {
	next, estimated := c.nthBusinessDayAfter(dayNumber(t), 1)
	return startOfDay(next), estimated
}

// BusinessDaysBetween counts the business days whose CST date lies in
// (from's date, to's date]: the number of business days that have ended or
// begun between the two instants, ignoring time of day. It is negative, with
// the same magnitude as BusinessDaysBetween(to, from), when to's date is
// before from's, and 0 on the same date. Only dates in that half-open range
// are classified for the estimated flag; from's own date is not.
func (c *Calendar) BusinessDaysBetween(from, to time.Time) (int, bool) {
	a, b := dayNumber(from), dayNumber(to)
	if b < a {
		n, estimated := c.countBusiness(b+1, a+1)
		return -n, estimated
	}
	return c.countBusiness(a+1, b+1)
}

// loaded reports whether day number d lies in a loaded year.
func (c *Calendar) loaded(d int) bool {
	return d >= c.firstDay && d-c.firstDay < len(c.business)
}

// classify is the single place that decides whether a day is a business day,
// so every method agrees on holidays and on when to estimate.
func (c *Calendar) classify(d int) (business, estimated bool) {
	if !c.loaded(d) {
		return isWeekday(d), true
	}
	return c.business[d-c.firstDay], false
}

// nthBusinessDayAfter walks forward from day number d and returns the n-th
// business day after it (d itself for n == 0). Walking is cheap for the
// deadlines this package serves (tens of days) and keeps the one definition in
// classify.
func (c *Calendar) nthBusinessDayAfter(d, n int) (int, bool) {
	estimated := false
	for n > 0 {
		d++
		business, est := c.classify(d)
		estimated = estimated || est
		if business {
			n--
		}
	}
	return d, estimated
}

// countBusiness counts business days among day numbers [lo, hi) in constant
// time, so that BusinessDaysBetween stays cheap for instants years apart
// (e.g. a zero time.Time from a missing field).
func (c *Calendar) countBusiness(lo, hi int) (n int, estimated bool) {
	end := c.firstDay + len(c.business)
	if lo < hi && lo < c.firstDay {
		m := min(hi, c.firstDay)
		n, estimated, lo = n+weekdaysIn(lo, m), true, m
	}
	if lo < hi && lo < end {
		m := min(hi, end)
		n, lo = n+c.cum[m-c.firstDay]-c.cum[lo-c.firstDay], m
	}
	if lo < hi {
		n, estimated = n+weekdaysIn(lo, hi), true
	}
	return n, estimated
}

// dayNumber returns the number of days from 1970-01-01 to t's CST date. It
// works on Unix seconds rather than t.In(China).Date() because that is both
// faster and independent of t's location.
func dayNumber(t time.Time) int {
	return int(floorDiv(t.Unix()+chinaOffset, secondsPerDay))
}

// startOfDay returns 00:00 CST of day number d.
func startOfDay(d int) time.Time {
	return time.Unix(int64(d)*secondsPerDay-chinaOffset, 0).In(China)
}

// timeOfDay returns how long after CST midnight t is.
func timeOfDay(t time.Time) time.Duration {
	s := t.Unix() + chinaOffset
	s -= floorDiv(s, secondsPerDay) * secondsPerDay
	return time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// weekday returns the day of the week of day number d; 1970-01-01 was a
// Thursday.
func weekday(d int) time.Weekday {
	return time.Weekday(((d+int(time.Thursday))%7 + 7) % 7)
}

func isWeekday(d int) bool {
	w := weekday(d)
	return w != time.Saturday && w != time.Sunday
}

// weekdaysIn counts Monday–Friday days among day numbers [lo, hi).
func weekdaysIn(lo, hi int) int {
	weeks := (hi - lo) / 7
	n := weeks * 5
	for d := lo + weeks*7; d < hi; d++ {
		if isWeekday(d) {
			n++
		}
	}
	return n
}

// floorDiv divides rounding towards negative infinity, so instants before
// 1970 map to the right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
