package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Date is a calendar date without time zone, as printed in ID numbers.
type Date struct {
	Year  int        `json:"year"`
	Month time.Month `json:"month"`
	Day   int        `json:"day"`
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// before reports whether d is strictly earlier than o.
func (d Date) before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// chinaTime is UTC+8 without DST; a fixed zone keeps the package free of
// tzdata lookups, which workflow code must not depend on.
var chinaTime = time.FixedZone("CST", 8*60*60)

// chinaDate returns the calendar date of t in China.
func chinaDate(t time.Time) Date {
	y, m, d := t.In(chinaTime).Date()
	return Date{y, m, d}
}

// ageOn returns the completed years between birth and on. Someone born on
// 29 February turns a year older on 1 March in common years.
func ageOn(birth, on Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return age
}

// ResidentID is a parsed 18-character GB 11643 citizen identity number, the
// layout shared by the mainland 居民身份证, the HK/Macau/Taiwan residence
// permits and the 2023 foreign permanent resident ID.
type ResidentID struct {
	// Region is the six-digit administrative division code of issue.
	Region string `json:"region"`
	// Birth is the holder's date of birth.
	Birth Date `json:"birth"`
	// Sequence is the three-digit order code; odd for men, even for women.
	Sequence string `json:"sequence"`
	// Check is the check character, '0'–'9' or 'X'.
	Check byte `json:"check"`
}

// String formats the number in its canonical 18-character form.
func (id ResidentID) String() string {
	return fmt.Sprintf("%s%04d%02d%02d%s%c", id.Region, id.Birth.Year, int(id.Birth.Month), id.Birth.Day, id.Sequence, id.Check)
}

// AgeOn returns the holder's age in completed years on the China calendar
// date of t.
func (id ResidentID) AgeOn(t time.Time) int { return ageOn(id.Birth, chinaDate(t)) }

// mainlandDivisions is the set of province-level prefixes of mainland ID
// numbers; 71, 81, 82 and 83 belong to Taiwan, HK and Macau documents.
var mainlandDivisions = func() map[string]bool {
	m := make(map[string]bool, len(divisionCodes))
	for _, d := range divisionCodes {
		m[d] = true
	}
	return m
}()

func isMainlandRegion(region string) bool { return mainlandDivisions[region[:2]] }

// ParseResidentID parses a mainland resident ID number (居民身份证号码). It
// accepts surrounding spaces and a lower-case x. Errors are *FormatError.
func ParseResidentID(s string) (ResidentID, error) {
	id, err := parseIDLayout(s, isMainlandRegion)
	if err != nil {
		return ResidentID{}, err
	}
	return id, nil
}

// idWeights are the GB 11643 weights 2^(17-i) mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// idCheckChar computes the ISO 7064 MOD 11-2 check character of 17 digits.
func idCheckChar(digits string) byte {
	sum := 0
	for i := range 17 {
		sum += int(digits[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// parseIDLayout checks the GB 11643 layout in the order a person re-reading
// the number would: length, characters, region, birth date, check digit.
// Only the first problem is reported because later ones follow from it.
func parseIDLayout(s string, regionOK func(string) bool) (ResidentID, *FormatError) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) != 18 {
		return ResidentID{}, formatErr(CodeIDLength)
	}
	if len(s) != 18 || !allDigits(s[:17]) {
		return ResidentID{}, formatErr(CodeIDCharset)
	}
	check := s[17]
	switch {
	case check == 'x':
		check = 'X'
	case check != 'X' && !isDigit(check):
		return ResidentID{}, formatErr(CodeIDCharset)
	}
	if !regionOK(s[:6]) {
		return ResidentID{}, formatErr(CodeIDRegion)
	}
	birth, ok := parseYYYYMMDD(s[6:14])
	if !ok {
		return ResidentID{}, formatErr(CodeIDBirthDate)
	}
	if idCheckChar(s) != check {
		return ResidentID{}, formatErr(CodeIDCheckDigit)
	}
	return ResidentID{Region: s[:6], Birth: birth, Sequence: s[14:17], Check: check}, nil
}

// parseYYYYMMDD accepts real calendar dates from 1900 on; earlier years do
// not occur in living persons' documents and usually mean a typo.
func parseYYYYMMDD(s string) (Date, bool) {
	y := atoi(s[:4])
	m := time.Month(atoi(s[4:6]))
	d := atoi(s[6:8])
	if y < 1900 || m < time.January || m > time.December || d < 1 {
		return Date{}, false
	}
	if d > time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a string already known to be ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
