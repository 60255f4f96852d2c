package rules

import (
	"strings"
	"unicode/utf8"
)

// creditCodeChars is the GB 32100 alphabet; the index of a character is its
// value. I, O, Z, S and V are left out to avoid confusion with digits.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeValue maps an ASCII byte to its GB 32100 value, or -1.
var creditCodeValue = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(creditCodeChars); i++ {
		t[creditCodeChars[i]] = int8(i)
	}
	return t
}()

// creditCodeWeights are 3^i mod 31 for positions 1–17.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode is a parsed unified social credit code (统一社会信用代码,
// GB 32100-2015).
type CreditCode struct {
	// Authority is the registration authority (登记管理部门), e.g. '9' for
	// market regulation, '1' for establishment offices, '5' for civil affairs.
	Authority byte `json:"authority"`
	// Category is the organisation category within the authority (机构类别).
	Category byte `json:"category"`
	// Region is the six-digit division code of the registering office.
	Region string `json:"region"`
	// Body is the nine-character subject identifier (主体标识码), which for
	// most subjects is the former organisation code.
	Body string `json:"body"`
	// Check is the MOD 31 check character.
	Check byte `json:"check"`
}

// String formats the code in its canonical 18-character form.
func (c CreditCode) String() string {
	return string([]byte{c.Authority, c.Category}) + c.Region + c.Body + string(c.Check)
}

// Prefix returns the authority and category characters, which tell the kind
// of subject (e.g. "91" enterprise, "12" public institution).
func (c CreditCode) Prefix() string { return string([]byte{c.Authority, c.Category}) }

// ParseCreditCode parses a unified social credit code. It accepts
// surrounding spaces and lower-case letters. Errors are *FormatError.
func ParseCreditCode(s string) (CreditCode, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) != 18 {
		return CreditCode{}, formatErr(CodeCreditCodeLength)
	}
	if len(s) != 18 {
		return CreditCode{}, formatErr(CodeCreditCodeCharset)
	}
	sum := 0
	for i := range 18 {
		v := creditCodeValue[s[i]]
		if v < 0 {
			return CreditCode{}, formatErr(CodeCreditCodeCharset)
		}
		if i < 17 {
			sum += int(v) * creditCodeWeights[i]
		}
	}
	if !allDigits(s[2:8]) {
		return CreditCode{}, formatErr(CodeCreditCodeRegion)
	}
	if creditCodeChars[(31-sum%31)%31] != s[17] {
		return CreditCode{}, formatErr(CodeCreditCodeCheck)
	}
	return CreditCode{Authority: s[0], Category: s[1], Region: s[2:8], Body: s[8:17], Check: s[17]}, nil
}

// OrganizationCode is a parsed GB 11714 organisation code (组织机构代码):
// eight body characters and a check character.
type OrganizationCode string

// String formats the code as "XXXXXXXX-C", the way certificates print it.
func (c OrganizationCode) String() string { return string(c[:8]) + "-" + string(c[8:]) }

// orgCodeWeights are the GB 11714 weights for the eight body characters.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ParseOrganizationCode parses an organisation code written with or
// without the hyphen before the check character. Errors are *FormatError.
func ParseOrganizationCode(s string) (OrganizationCode, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	if len(s) != 9 {
		return "", formatErr(CodeOrgCodeFormat)
	}
	sum := 0
	for i := range 8 {
		c := s[i]
		var v int
		switch {
		case isDigit(c):
			v = int(c - '0')
		case 'A' <= c && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return "", formatErr(CodeOrgCodeFormat)
		}
		sum += v * orgCodeWeights[i]
	}
	want := byte('0')
	switch r := 11 - sum%11; r {
	case 10:
		want = 'X'
	case 11:
	default:
		want = byte('0' + r)
	}
	if c := s[8]; c != 'X' && !isDigit(c) {
		return "", formatErr(CodeOrgCodeFormat)
	}
	if s[8] != want {
		return "", formatErr(CodeOrgCodeCheck)
	}
	return OrganizationCode(s), nil
}
