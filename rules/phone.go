package rules

import "strings"

// threeDigitAreaCodes are the large cities with two-digit area codes (0 +
// two digits), by province.
var threeDigitAreaCodes = map[string]string{
	"010": "BJ", "020": "GD", "021": "SH", "022": "TJ", "023": "CQ",
	"024": "LN", "025": "JS", "027": "HB", "028": "SC", "029": "SN",
}

// areaCodeBlocks maps the first three digits of a four-digit area code to
// its province. China's numbering plan allots area codes by region, so a
// block of ten codes lies in one province; the one exception, 089x, is
// split between Tibet (0891–0897) and Hainan (0898), handled in
// landlineProvince.
var areaCodeBlocks = map[string]string{
	"031": "HE", "033": "HE", "034": "SX", "035": "SX", "037": "HA", "039": "HA",
	"041": "LN", "042": "LN", "043": "JL", "045": "HL", "046": "HL", "047": "NM", "048": "NM",
	"051": "JS", "052": "JS", "053": "SD", "054": "SD", "055": "AH", "056": "AH",
	"057": "ZJ", "058": "ZJ", "059": "FJ", "063": "SD", "066": "GD", "069": "YN",
	"070": "JX", "071": "HB", "072": "HB", "073": "HN", "074": "HN", "075": "GD", "076": "GD",
	"077": "GX", "079": "JX", "081": "SC", "082": "SC", "083": "SC", "085": "GZ",
	"087": "YN", "088": "YN", "089": "XZ", "090": "XJ", "091": "SN", "093": "GS", "094": "GS",
	"095": "NX", "097": "QH", "099": "XJ",
}

// landlineProvince returns the province of a mainland landline's area code
// (0571-88888888, (010) 6234 5678, +86 21 5888 0000); ok is false for a
// mobile number, a number without area code or free text, which office
// phones may be.
func landlineProvince(s string) (Province, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteString("+")
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '（' || r == '）':
		default:
			return Province{}, false
		}
	}
	d := b.String()
	for _, p := range []string{"+86", "0086"} {
		if rest, ok := strings.CutPrefix(d, p); ok {
			d = "0" + strings.TrimPrefix(rest, "0")
		}
	}
	// Area code plus a 7- or 8-digit subscriber number.
	if len(d) < 10 || len(d) > 12 || d[0] != '0' {
		return Province{}, false
	}
	code, ok := threeDigitAreaCodes[d[:3]]
	if !ok {
		switch code, ok = areaCodeBlocks[d[:3]]; {
		case !ok:
			return Province{}, false
		case d[:4] == "0898":
			code = "HI"
		case d[:3] == "089" && (d[3] < '1' || d[3] > '7'):
			return Province{}, false
		}
	}
	return LookupProvince(code)
}

// checkLocalPhone reports a landline outside the filing province where the
// bureau wants local numbers. Mobile numbers carry no region in their
// digits; their home province needs the operators' number-block data.
func (v *validator) checkLocalPhone(field, phone string) {
	if !v.pr.localPhone || strings.TrimSpace(phone) == "" {
		return
	}
	if p, ok := landlineProvince(phone); ok && p.Code != v.pr.province.Code && v.pr.province.Code != "" {
		v.add(field, CodePhoneNotLocal, p.Name)
	}
}
