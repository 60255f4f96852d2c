package verificationform

import (
	"crypto/rand"
	"fmt"
	"regexp"
)

// serialAlphabet is Crockford's base32: no I, L, O or U, so a serial read
// off paper is not misread.
const serialAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// serialPattern matches a serial wherever it is printed or encoded.
var serialPattern = regexp.MustCompile(`HY-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}`)

// NewSerial draws a serial, HY-XXXX-XXXX-XXXX: 60 random bits, so serials
// cannot be guessed, and nothing of the filing or its persons in it.
func NewSerial() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("verification form: draw a serial: %w", err)
	}
	out := []byte("HY-")
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, serialAlphabet[c%32])
	}
	return string(out), nil
}

// ValidSerial says whether s is shaped like a serial.
func ValidSerial(s string) bool {
	return len(s) == 17 && serialPattern.MatchString(s)
}
