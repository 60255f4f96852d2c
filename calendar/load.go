package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"slices"
	"time"
)

// yearFile is the schema of one data file; see data/README.md.
type yearFile struct {
	Year           int           `json:"year"`
	Notice         noticeFile    `json:"notice"`
	Holidays       []holidayFile `json:"holidays"`
	MakeupWorkdays []makeupFile  `json:"makeup_workdays"`
}

type noticeFile struct {
	Title     string `json:"title"`
	Number    string `json:"number"`
	Published string `json:"published"`
	Source    string `json:"source"`
}

type holidayFile struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	First  string `json:"first"`
	Last   string `json:"last"`
}

type makeupFile struct {
	Date string `json:"date"`
	// Holiday names the holiday the day compensates for, as in the notice
	// ("1月26日（周日）…上班" under 春节); it must match a holiday of the
	// same file, which catches days copied under the wrong year or heading.
	Holiday string `json:"holiday"`
}

// year is one validated data file.
type year struct {
	file     string
	raw      []byte
	number   int
	notice   Notice
	holidays []holiday
	makeups  []int // day numbers, ascending
}

// Load builds a calendar from every *.json file in the root of fsys, one file
// per year; other files and subdirectories are ignored. It validates
// strictly, because a wrong day silently shifts every deadline computed with
// it. Each of these is an error naming the file and the offending entry:
// malformed JSON or unknown fields; a date outside the file's year; a holiday
// range that ends before it starts, or is out of date order with or overlaps
// the previous one; a make-up workday that is not a Saturday or Sunday, is
// out of order or repeated, lies inside a holiday or names a holiday the file
// does not declare; the same year in two files; a gap between years.
func Load(fsys fs.FS) (*Calendar, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("calendar: listing data files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("calendar: no *.json data files found")
	}
	years := make([]year, 0, len(names))
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("calendar: reading %s: %w", name, err)
		}
		y, err := parseYear(raw)
		if err != nil {
			return nil, fmt.Errorf("calendar: %s: %w", name, err)
		}
		y.file, y.raw = name, raw
		years = append(years, y)
	}
	slices.SortFunc(years, func(a, b year) int { return a.number - b.number })
	for i := 1; i < len(years); i++ {
		prev, cur := years[i-1], years[i]
		switch {
		case cur.number == prev.number:
			return nil, fmt.Errorf("calendar: year %d is defined twice, in %s and %s", cur.number, prev.file, cur.file)
		case cur.number != prev.number+1:
			// A gap would make Years() claim data it does not have.
			return nil, fmt.Errorf("calendar: years must be contiguous: %s has %d, %s has %d, nothing in between", prev.file, prev.number, cur.file, cur.number)
		}
	}
	return build(years), nil
}

// parseYear decodes and validates one data file.
func parseYear(raw []byte) (year, error) {
	var f yearFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return year{}, fmt.Errorf("malformed JSON%s: %w", jsonPosition(raw, err), err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return year{}, errors.New("malformed JSON: unexpected data after the top-level object")
	}

	// Dates are written as four-digit years, so the year must be one too.
	if f.Year < 1 || f.Year > 9999 {
		return year{}, fmt.Errorf("year %d is missing or out of range 1..9999", f.Year)
	}
	y := year{number: f.Year}

	n := f.Notice
	if n.Title == "" {
		return year{}, errors.New("notice: title is required")
	}
	published, err := parseDate(n.Published)
	if err != nil {
		return year{}, fmt.Errorf("notice: published: %w", err)
	}
	if u, err := url.Parse(n.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return year{}, fmt.Errorf("notice: source %q must be an absolute http(s) URL", n.Source)
	}
	y.notice = Notice{Year: f.Year, Title: n.Title, Number: n.Number, Published: startOfDay(published), Source: n.Source}

	if len(f.Holidays) == 0 {
		// Every year has statutory holidays; none means a truncated file.
		return year{}, errors.New("holidays: none listed")
	}
	for i, h := range f.Holidays {
		what := fmt.Sprintf("holidays[%d] %q", i, h.Name)
		if h.Name == "" || h.NameEN == "" {
			return year{}, fmt.Errorf("%s: name and name_en are required", what)
		}
		first, err := parseDateIn(h.First, f.Year)
		if err != nil {
			return year{}, fmt.Errorf("%s: first: %w", what, err)
		}
		last, err := parseDateIn(h.Last, f.Year)
		if err != nil {
			return year{}, fmt.Errorf("%s: last: %w", what, err)
		}
		if last < first {
			return year{}, fmt.Errorf("%s: last day %s is before first day %s", what, h.Last, h.First)
		}
		if i > 0 && first <= y.holidays[i-1].last {
			return year{}, fmt.Errorf("%s: starts %s, not after the previous holiday ends %s; list holidays in date order without overlap", what, h.First, f.Holidays[i-1].Last)
		}
		y.holidays = append(y.holidays, holiday{first: first, last: last, name: h.Name})
	}

	for i, m := range f.MakeupWorkdays {
		what := fmt.Sprintf("makeup_workdays[%d] %s", i, m.Date)
		d, err := parseDateIn(m.Date, f.Year)
		if err != nil {
			return year{}, fmt.Errorf("makeup_workdays[%d]: %w", i, err)
		}
		if w := weekday(d); w != time.Saturday && w != time.Sunday {
			return year{}, fmt.Errorf("%s: falls on a %s; make-up workdays move work onto a Saturday or Sunday", what, w)
		}
		if i > 0 && d <= y.makeups[i-1] {
			return year{}, fmt.Errorf("%s: not after %s; list make-up workdays in date order without duplicates", what, f.MakeupWorkdays[i-1].Date)
		}
		for _, h := range y.holidays {
			if h.first <= d && d <= h.last {
				return year{}, fmt.Errorf("%s: is both a make-up workday and a day of holiday %q", what, h.name)
			}
		}
		if !slices.ContainsFunc(y.holidays, func(h holiday) bool { return h.name == m.Holiday }) {
			return year{}, fmt.Errorf("%s: holiday %q is not one of this year's holidays", what, m.Holiday)
		}
		y.makeups = append(y.makeups, d)
	}
	return y, nil
}

// jsonPosition locates a decoding error as " at line L, column C" when the
// error carries an offset, because encoding/json reports only a byte offset
// and people edit these files by hand.
func jsonPosition(raw []byte, err error) string {
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return ""
	}
	before := raw[:min(int(offset), len(raw))]
	line := bytes.Count(before, []byte("\n")) + 1
	column := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf(" at line %d, column %d", line, column)
}

// build turns validated, sorted, contiguous years into a Calendar.
func build(years []year) *Calendar {
	c := &Calendar{
		firstYear: years[0].number,
		lastYear:  years[len(years)-1].number,
		firstDay:  dateNumber(years[0].number, time.January, 1),
	}
	end := dateNumber(c.lastYear+1, time.January, 1)
	c.business = make([]bool, end-c.firstDay)
	for i := range c.business {
		c.business[i] = isWeekday(c.firstDay + i)
	}
	h := sha256.New()
	for _, y := range years {
		for _, hol := range y.holidays {
			for d := hol.first; d <= hol.last; d++ {
				c.business[d-c.firstDay] = false
			}
		}
		for _, d := range y.makeups {
			c.business[d-c.firstDay] = true
		}
		c.holidays = append(c.holidays, y.holidays...)
		c.notices = append(c.notices, y.notice)
		// The length prefix keeps file boundaries unambiguous in the hash.
		fmt.Fprintf(h, "%d %d\n", y.number, len(y.raw))
		h.Write(y.raw)
	}
	c.cum = make([]int, len(c.business)+1)
	for i, b := range c.business {
		c.cum[i+1] = c.cum[i]
		if b {
			c.cum[i+1]++
		}
	}
	c.version = fmt.Sprintf("cn-%d-%d-%s", c.firstYear, c.lastYear, hex.EncodeToString(h.Sum(nil))[:12])
	return c
}

// parseDate parses a YYYY-MM-DD calendar date into a day number.
func parseDate(s string) (int, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD: %w", s, err)
	}
	return dateNumber(t.Date()), nil
}

// parseDateIn parses a date that must lie in the given year, so a day copied
// from another year's notice cannot slip in.
func parseDateIn(s string, year int) (int, error) {
	d, err := parseDate(s)
	if err != nil {
		return 0, err
	}
	if d < dateNumber(year, time.January, 1) || d >= dateNumber(year+1, time.January, 1) {
		return 0, fmt.Errorf("date %s is outside the file's year %d", s, year)
	}
	return d, nil
}

// dateNumber returns the day number of a calendar date.
func dateNumber(y int, m time.Month, d int) int {
	return int(floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay))
}
