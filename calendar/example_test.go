package calendar_test

import (
	"fmt"
	"time"

	"github.com/beianflow/beianflow/calendar"
)

// A filing pushed to the provincial bureau on the Friday before Spring
// Festival 2026: the bureau's 20-business-day review clock starts with the
// make-up Saturday, pauses for the whole holiday and counts the second
// make-up Saturday (02-28): 02-14 is day 1, 02-24..02-27 days 2–5, 02-28 day
// 6, 03-02..03-13 days 7–16 and 03-16..03-19 days 17–20. Counting 20
// weekdays instead would set the deadline six days early.
func ExampleCalendar_AddBusinessDays() {
	cal := calendar.Default()
	pushed := time.Date(2026, 2, 13, 17, 0, 0, 0, calendar.China)

	deadline, estimated := cal.AddBusinessDays(pushed, 20)
	fmt.Println(deadline.Format("2006-01-02 15:04 Mon"), estimated)

	naive := pushed.AddDate(0, 0, 28) // 20 weekdays, ignoring the holiday
	fmt.Println(naive.Format("2006-01-02 15:04 Mon"))
	// Output:
	// 2026-03-19 17:00 Thu false
	// 2026-03-13 17:00 Fri
}

// The reviewer works 09:00–18:00 on business days; a request made on the
// evening before National Day waits for the first day after the holiday.
func ExampleCalendar_NextWindowOpen() {
	office := calendar.Window{Open: 9 * time.Hour, Close: 18 * time.Hour}
	open, _ := calendar.Default().NextWindowOpen(time.Date(2026, 9, 30, 20, 0, 0, 0, calendar.China), office)
	fmt.Println(open.Format("2006-01-02 15:04 Mon"))
	// Output: 2026-10-08 09:00 Thu
}
