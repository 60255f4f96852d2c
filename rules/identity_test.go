package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// codeOf returns the violation code carried by a parser error, or "".
func codeOf(t *testing.T, err error) rules.Code {
	t.Helper()
	if err == nil {
		return ""
	}
	var fe *rules.FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *rules.FormatError", err)
	}
	return fe.Code
}

// idEndingInX finds a valid number whose check character is X.
func idEndingInX() string {
	for seq := 100; seq < 1000; seq++ {
		if id := residentID("110105", "19800101", itoa3(seq)); strings.HasSuffix(id, "X") {
			return id
		}
	}
	panic("no X check digit among 900 sequence numbers")
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func TestResidentIDNumbers(t *testing.T) {
	withX := idEndingInX()
	checkParse(t, "ParseResidentID", rules.ParseResidentID, []parseCase{
		{"sample number printed in GB 11643", "11010519491231002X", ""},
		{"generated Hangzhou number", zhangWeiID, ""},
		{"lower-case x check character", strings.ToLower(withX), ""},
		{"surrounding spaces from copy and paste", "  " + liNaID + " ", ""},
		{"born on a leap day", residentID("440305", "20000229", "018"), ""},
		{"one sequence digit mistyped", zhangWeiID[:15] + string(rune('0'+(zhangWeiID[15]-'0'+1)%10)) + zhangWeiID[16:], rules.CodeIDCheckDigit},
		{"wrong check digit", withWrongCheck(zhangWeiID), rules.CodeIDCheckDigit},
		{"30 February", residentID("330106", "19990230", "123"), rules.CodeIDBirthDate},
		{"29 February of 1900, not a leap year", residentID("330106", "19000229", "123"), rules.CodeIDBirthDate},
		{"month 13", residentID("330106", "19991301", "123"), rules.CodeIDBirthDate},
		{"born before 1900", residentID("440524", "18801001", "001"), rules.CodeIDBirthDate},
		{"17 characters", zhangWeiID[:17], rules.CodeIDLength},
		{"first-generation 15-digit number", "330106850312123", rules.CodeIDLength},
		{"letter inside the number", zhangWeiID[:5] + "A" + zhangWeiID[6:], rules.CodeIDCharset},
		{"full-width digits", strings.Repeat("１", 18), rules.CodeIDCharset},
		{"check character Y", zhangWeiID[:17] + "Y", rules.CodeIDCharset},
		{"Taiwan division code is not issued on the mainland", residentID("710101", "19800101", "123"), rules.CodeIDRegion},
		{"HK residence permit number is not a resident ID", residentID("810000", "19800101", "123"), rules.CodeIDRegion},
		{"no such province", residentID("990101", "19800101", "123"), rules.CodeIDRegion},
		{"empty", "", rules.CodeIDLength},
	}, func(t *testing.T, in string, id rules.ResidentID) {
		if id.String() != strings.ToUpper(strings.TrimSpace(in)) {
			t.Errorf("String() = %q, want the canonical input", id.String())
		}
	})
}

func TestResidentIDRevealsBirthDateAndAge(t *testing.T) {
	id, err := rules.ParseResidentID(zhangWeiID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (rules.Date{Year: 1985, Month: time.March, Day: 12}); id.Birth != want {
		t.Errorf("Birth = %v, want %v", id.Birth, want)
	}
	if id.Region != "330106" || id.Sequence != "123" {
		t.Errorf("Region, Sequence = %q, %q", id.Region, id.Sequence)
	}
	if id.Birth.String() != "1985-03-12" {
		t.Errorf("Birth.String() = %q", id.Birth.String())
	}
	if age := id.AgeOn(asOf); age != 41 {
		t.Errorf("AgeOn(%v) = %d, want 41", asOf, age)
	}
}

func TestOtherIdentityDocumentNumbers(t *testing.T) {
	tests := []struct {
		name   string
		typ    filing.CertificateType
		number string
		want   rules.Code
	}{
		{"HK residence permit", filing.CertHKMacauResidencePermit, residentID("810000", "19900101", "123"), ""},
		{"Macau residence permit", filing.CertHKMacauResidencePermit, residentID("820000", "19900101", "124"), ""},
		{"HK/Macau residence permit with a mainland prefix", filing.CertHKMacauResidencePermit, residentID("330106", "19900101", "123"), rules.CodeIDRegion},
		{"HK/Macau residence permit with a wrong check digit", filing.CertHKMacauResidencePermit, withWrongCheck(residentID("810000", "19900101", "123")), rules.CodeIDCheckDigit},
		{"Taiwan residence permit", filing.CertTaiwanResidencePermit, residentID("830000", "19750606", "011"), ""},
		{"Taiwan residence permit with the HK prefix", filing.CertTaiwanResidencePermit, residentID("810000", "19750606", "011"), rules.CodeIDRegion},
		{"HK/Macau permit card since 2013", filing.CertHKMacauPermit, "H12345678", ""},
		{"Macau permit in lower case", filing.CertHKMacauPermit, "m87654321", ""},
		{"old HK permit with renewal count", filing.CertHKMacauPermit, "H1234567801", ""},
		{"permit for non-Chinese HK residents", filing.CertHKMacauPermit, "HA1234567", ""},
		{"permit for non-Chinese Macau residents", filing.CertHKMacauPermit, "MA7654321", ""},
		{"HK permit with 7 digits", filing.CertHKMacauPermit, "H1234567", rules.CodeHKMacauPermitFormat},
		{"non-Chinese permit with 8 digits", filing.CertHKMacauPermit, "HA12345678", rules.CodeHKMacauPermitFormat},
		{"permit starting with C", filing.CertHKMacauPermit, "C12345678", rules.CodeHKMacauPermitFormat},
		{"Taiwan permit", filing.CertTaiwanPermit, "01234567", ""},
		{"Taiwan permit with 7 digits", filing.CertTaiwanPermit, "1234567", rules.CodeTaiwanPermitFormat},
		{"Taiwan permit with a letter", filing.CertTaiwanPermit, "T1234567", rules.CodeTaiwanPermitFormat},
		{"Chinese e-passport", filing.CertPassport, "E12345678", ""},
		{"Chinese passport EA series", filing.CertPassport, "EA1234567", ""},
		{"foreign passport", filing.CertPassport, "k1234567", ""},
		{"passport without digits", filing.CertPassport, "ABCDEFG", rules.CodePassportFormat},
		{"passport with a space", filing.CertPassport, "E 1234567", rules.CodePassportFormat},
		{"passport too long", filing.CertPassport, strings.Repeat("1", 18), rules.CodePassportFormat},
		{"foreign permanent resident ID, 2023 card", filing.CertForeignPermanentResidentID, residentID("911840", "19800101", "001"), ""},
		{"foreign permanent resident ID, 2004 card", filing.CertForeignPermanentResidentID, "USA310080101011", ""},
		{"2023 card not starting with 9", filing.CertForeignPermanentResidentID, residentID("811840", "19800101", "001"), rules.CodeIDRegion},
		{"2004 card with digits for the nationality", filing.CertForeignPermanentResidentID, "123310080101011", rules.CodeForeignPermanentIDFormat},
		{"medical licence numbers have no national format", filing.CertMedicalInstitutionLicense, "PDY00001X44030417A1002", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeOf(t, rules.CheckCertificateNumber(tt.typ, tt.number)); got != tt.want {
				t.Errorf("CheckCertificateNumber(%s, %q) code = %q, want %q", tt.typ, tt.number, got, tt.want)
			}
		})
	}
}
