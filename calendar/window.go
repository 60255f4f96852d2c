package calendar

import (
	"fmt"
	"time"
)

// Window is a daily period during which something may happen on business
// days, such as a reviewer's office hours, as offsets from CST midnight. Open
// is inclusive and Close exclusive, so {9h, 18h} admits 09:00:00 up to but
// not including 18:00:00.
type Window struct {
	Open, Close time.Duration
}

// Validate reports whether w describes a non-empty period within one day:
// 0 <= Open < Close <= 24h. Windows that wrap past midnight are rejected
// rather than interpreted, since which day they would belong to is ambiguous.
func (w Window) Validate() error {
	if w.Open < 0 || w.Open >= w.Close || w.Close > 24*time.Hour {
		return fmt.Errorf("calendar: invalid window [%v, %v): need 0 <= Open < Close <= 24h", w.Open, w.Close)
	}
	return nil
}

// NextWindowOpen returns the earliest instant at or after t at which w is open
// on a business day: t itself if t's CST date is a business day and
// Open <= time of day < Close; Open on the same day if t is earlier than Open
// on a business day; otherwise Open on the next business day. It panics if w
// is invalid (see [Window.Validate]), because a bad window is a programming
// error that no retry would fix.
func (c *Calendar) NextWindowOpen(t time.Time, w Window) (time.Time, bool) {
	if err := w.Validate(); err != nil {
		panic(err)
	}
	t = t.In(China)
	d := dayNumber(t)
	business, estimated := c.classify(d)
	if business {
		switch tod := timeOfDay(t); {
		case tod < w.Open:
			return startOfDay(d).Add(w.Open), estimated
		case tod < w.Close:
			return t, estimated
		}
	}
	next, est := c.nthBusinessDayAfter(d, 1)
	return startOfDay(next).Add(w.Open), estimated || est
}
