package calendar_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/beianflow/beianflow/calendar"
)

// validFS returns the shipped data files as a MapFS that tests can modify.
func validFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"cn-2025.json", "cn-2026.json"} {
		raw, err := os.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: raw}
	}
	return m
}

// year2027 is a small, valid, made-up year used as the base for loader
// tests; each case breaks exactly one thing in it.
const year2027 = `{
  "year": 2027,
  "notice": {"title": "test notice", "number": "", "published": "2026-11-01", "source": "https://example.gov.cn/2027"},
  "holidays": [
    {"name": "元旦", "name_en": "New Year's Day", "first": "2027-01-01", "last": "2027-01-03"},
    {"name": "春节", "name_en": "Spring Festival", "first": "2027-02-06", "last": "2027-02-14"}
  ],
  "makeup_workdays": [
    {"date": "2027-02-20", "holiday": "春节"}
  ]
}`

func TestLoadAddsAYearWithoutCodeChanges(t *testing.T) {
	fsys := validFS(t)
	fsys["cn-2027.json"] = &fstest.MapFile{Data: []byte(year2027)}
	c, err := calendar.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if first, last := c.Years(); first != 2025 || last != 2027 {
		t.Errorf("Years() = %d, %d; want 2025, 2027", first, last)
	}
	if !strings.HasPrefix(c.Version(), "cn-2025-2027-") {
		t.Errorf("Version() = %q", c.Version())
	}
	// 2027-02-20 is a Saturday made a workday by the new file.
	if business, est := c.IsBusinessDay(at(2027, 2, 20, 10, 0)); !business || est {
		t.Errorf("2027-02-20: %v, %v; want true, false", business, est)
	}
	// The same day is only a weekend guess with the shipped data.
	if business, est := calendar.Default().IsBusinessDay(at(2027, 2, 20, 10, 0)); business || !est {
		t.Errorf("2027-02-20 without 2027 data: %v, %v; want false, true", business, est)
	}
	// Crossing the year boundary is no longer estimated.
	got, est := c.AddBusinessDays(at(2026, 12, 31, 10, 0), 1)
	assertInstant(t, got, at(2027, 1, 4, 10, 0))
	if est {
		t.Error("estimated = true with 2027 loaded")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string // substrings the message must contain
	}{
		{
			name:    "make-up day on a weekday",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"2027-02-20"`, `"2027-02-22"`, 1)},
			wantErr: []string{"cn-2027.json", "2027-02-22", "Monday", "Saturday or Sunday"},
		},
		{
			name:    "holiday date outside the year",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"first": "2027-01-01"`, `"first": "2026-12-31"`, 1)},
			wantErr: []string{"cn-2027.json", `holidays[0] "元旦"`, "2026-12-31", "outside the file's year 2027"},
		},
		{
			name:    "make-up day outside the year",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"2027-02-20"`, `"2028-02-19"`, 1)},
			wantErr: []string{"makeup_workdays[0]", "outside the file's year 2027"},
		},
		{
			name: "duplicate year",
			files: map[string]string{
				"cn-2027.json":      year2027,
				"cn-2027-copy.json": year2027,
			},
			wantErr: []string{"year 2027 is defined twice", "cn-2027-copy.json", "cn-2027.json"},
		},
		{
			name:    "malformed JSON",
			files:   map[string]string{"cn-2027.json": strings.TrimSuffix(year2027, "}")},
			wantErr: []string{"cn-2027.json", "malformed JSON"},
		},
		{
			name:    "trailing data after the object",
			files:   map[string]string{"cn-2027.json": year2027 + "{}"},
			wantErr: []string{"cn-2027.json", "unexpected data after"},
		},
		{
			name:    "unknown field, e.g. a misspelt key",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"makeup_workdays"`, `"makeup_days"`, 1)},
			wantErr: []string{"cn-2027.json", "malformed JSON", "makeup_days"},
		},
		{
			name:    "day both holiday and make-up",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"2027-02-20"`, `"2027-02-13"`, 1)},
			wantErr: []string{"2027-02-13", "both a make-up workday and a day of holiday \"春节\""},
		},
		{
			name:    "holiday last before first",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"first": "2027-01-01", "last": "2027-01-03"`, `"first": "2027-01-03", "last": "2027-01-01"`, 1)},
			wantErr: []string{"last day 2027-01-01 is before first day 2027-01-03"},
		},
		{
			name: "holidays out of order",
			files: map[string]string{"cn-2027.json": strings.Replace(year2027,
				`{"name": "元旦", "name_en": "New Year's Day", "first": "2027-01-01", "last": "2027-01-03"},
    {"name": "春节", "name_en": "Spring Festival", "first": "2027-02-06", "last": "2027-02-14"}`,
				`{"name": "春节", "name_en": "Spring Festival", "first": "2027-02-06", "last": "2027-02-14"},
    {"name": "元旦", "name_en": "New Year's Day", "first": "2027-01-01", "last": "2027-01-03"}`, 1)},
			wantErr: []string{`holidays[1] "元旦"`, "date order without overlap"},
		},
		{
			name:    "overlapping holidays",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"first": "2027-02-06"`, `"first": "2027-01-03"`, 1)},
			wantErr: []string{`holidays[1] "春节"`, "without overlap"},
		},
		{
			name: "duplicate make-up day",
			files: map[string]string{"cn-2027.json": strings.Replace(year2027, `{"date": "2027-02-20", "holiday": "春节"}`,
				`{"date": "2027-02-20", "holiday": "春节"}, {"date": "2027-02-20", "holiday": "春节"}`, 1)},
			wantErr: []string{"makeup_workdays[1] 2027-02-20", "without duplicates"},
		},
		{
			name:    "make-up day for an undeclared holiday",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"holiday": "春节"`, `"holiday": "国庆节"`, 1)},
			wantErr: []string{`holiday "国庆节" is not one of this year's holidays`},
		},
		{
			name:    "impossible date",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"2027-02-20"`, `"2027-02-30"`, 1)},
			wantErr: []string{"makeup_workdays[0]", `"2027-02-30" is not YYYY-MM-DD`},
		},
		{
			name:    "date without zero padding",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"2027-02-20"`, `"2027-2-20"`, 1)},
			wantErr: []string{`"2027-2-20" is not YYYY-MM-DD`},
		},
		{
			name:    "missing year",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"year": 2027,`, ``, 1)},
			wantErr: []string{"year 0 is missing"},
		},
		{
			name:    "no holidays",
			files:   map[string]string{"x.json": `{"year": 2027, "notice": {"title": "t", "published": "2026-11-01", "source": "https://example.gov.cn"}}`},
			wantErr: []string{"x.json", "holidays: none listed"},
		},
		{
			name:    "notice without a source URL",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"https://example.gov.cn/2027"`, `"example.gov.cn/2027"`, 1)},
			wantErr: []string{"notice: source", "absolute http(s) URL"},
		},
		{
			name:    "notice without a title",
			files:   map[string]string{"cn-2027.json": strings.Replace(year2027, `"test notice"`, `""`, 1)},
			wantErr: []string{"notice: title is required"},
		},
		{
			name: "gap between years",
			files: map[string]string{
				"cn-2025.json": strings.ReplaceAll(strings.ReplaceAll(year2027, "2027", "2025"), "2025-02-20", "2025-02-22"),
				"cn-2027.json": year2027,
			},
			wantErr: []string{"years must be contiguous", "cn-2025.json has 2025", "cn-2027.json has 2027"},
		},
		{
			name:    "no data files",
			files:   map[string]string{"README.md": "not data"},
			wantErr: []string{"no *.json data files"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			c, err := calendar.Load(fsys)
			if err == nil {
				t.Fatalf("Load succeeded with version %s, want an error", c.Version())
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "calendar: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}

func TestLoadIgnoresNonJSONAndSubdirectories(t *testing.T) {
	fsys := fstest.MapFS{
		"cn-2027.json":        {Data: []byte(year2027)},
		"README.md":           {Data: []byte("# notes")},
		"drafts/cn-2028.json": {Data: []byte("not even JSON")},
	}
	c, err := calendar.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if first, last := c.Years(); first != 2027 || last != 2027 {
		t.Errorf("Years() = %d, %d; want 2027, 2027", first, last)
	}
	if got := c.Notices(); len(got) != 1 || got[0].Source != "https://example.gov.cn/2027" || !got[0].Published.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, calendar.China)) {
		t.Errorf("Notices() = %+v", got)
	}
}

func TestLoadLocatesJSONErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"missing comma", strings.Replace(year2027, `"2027-02-20", "holiday"`, `"2027-02-20" "holiday"`, 1), "at line 9, column"},
		{"year as a string", strings.Replace(year2027, `"year": 2027`, `"year": "2027"`, 1), "at line 2, column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := calendar.Load(fstest.MapFS{"cn-2027.json": {Data: []byte(tt.data)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v does not contain %q", err, tt.want)
			}
		})
	}
}
