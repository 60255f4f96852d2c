package main

import (
	"fmt"
	"io"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// printHeader says what the demo walks and where to watch it, before the
// walk, then the heading of the walk's table.
func (d *demo) printHeader(f *filing.View) {
	out := d.opts.Out
	fmt.Fprintf(out, "beianflow demo: one 新增网站 filing through every stage, time scale %g (a day of the process in %s)\n",
		d.opts.TimeScale, (time.Duration(float64(24*time.Hour) / d.opts.TimeScale)).Round(time.Millisecond))
	fmt.Fprintf(out, "  filing   %s  (%s, %s, company %s, account %s)\n", f.FilingID, demoProvince, d.domain, d.company, f.AccountID)
	fmt.Fprintf(out, "  Web UI   %s\n", d.uiLink())
	fmt.Fprintf(out, "  API      %s/v1/filings/%s  (audit trail: …/timeline)\n", d.opts.APIURL, f.FilingID)
	fmt.Fprintf(out, "  核验单   %s/v1/filings/%s/verification-form  (the pre-filled verification form, PDF, once the application is saved)\n", d.opts.APIURL, f.FilingID)
	fmt.Fprintf(out, "  The sandbox courier and bureau follow the filing's time scale and act on their own; should one be later than that\n"+
		"  scale lets it be (by more than %s), the demo delivers its event as support.\n\n", d.opts.Grace)
	fmt.Fprintf(out, "%-12s  %-20s  %-24s  %-10s  %s\n", "time", "stage", "step", "waiting on", "deadline · waiting for")
}

// say notes what the demo does, under the line of the wait it answers.
func (d *demo) say(s string) { d.report.note(s) }

// reporter prints one line per stage entered and per change of what the
// filing waits for: time, stage, step, who it waits on, deadline.
type reporter struct {
	out     io.Writer
	printed int    // stage entries printed
	last    string // stage, step and party of the last line
}

func (r *reporter) show(stages []stageEntry, f *filing.View) {
	// Stages passed between two reads: from the timeline, with their times.
	for r.printed < len(stages)-1 || (r.printed == len(stages)-1 && stages[r.printed].Stage != f.Stage) {
		e := stages[r.printed]
		r.line(e.At, e.Stage, "", "", nil, "passed")
		r.printed++
	}
	key := fmt.Sprint(f.Stage, "|", f.Step, "|", f.WaitingOn)
	if key == r.last && r.printed == len(stages) {
		return
	}
	at := time.Now()
	if f.Since != nil {
		at = *f.Since
	} else if r.printed < len(stages) {
		at = stages[len(stages)-1].At
	}
	r.line(at, f.Stage, f.Step, string(f.WaitingOn), f.Deadline, f.WaitingFor)
	r.printed, r.last = len(stages), key
}

func (r *reporter) line(at time.Time, stage filing.Stage, step filing.Step, party string, deadline *time.Time, what string) {
	dl := "-"
	if deadline != nil {
		dl = fmt.Sprintf("%s (in %s)", deadline.Local().Format("15:04:05"), max(time.Until(*deadline), 0).Round(time.Second))
	}
	if what != "" {
		dl += " · " + what
	}
	fmt.Fprintf(r.out, "%-12s  %-20s  %-24s  %-10s  %s\n", at.Local().Format("15:04:05.000"), stage, orDash(string(step)), orDash(party), dl)
}

func (r *reporter) note(s string) {
	fmt.Fprintf(r.out, "%-12s    ↳ %s\n", time.Now().Format("15:04:05.000"), s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
