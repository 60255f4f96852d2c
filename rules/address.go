package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/beianflow/beianflow/filing"
)

// houseNumberMarkers end a house number in Chinese addresses: 号 (street
// number), 弄 (Shanghai lanes), 栋/幢/座 (buildings), 单元, 室/户 (rooms)
// and 楼 (floors, as in "5楼"). Traditional forms are included for HK, Macau
// and Taiwan residents' addresses.
var houseNumberMarkers = []string{"号", "號", "弄", "栋", "棟", "幢", "座", "单元", "單元", "室", "户", "戶", "楼", "樓"}

// isNumberRune reports whether r can be part of a house number: Arabic
// digits (also full width), Chinese numerals and Latin letters (A座, B栋).
func isNumberRune(r rune) bool {
	switch {
	case '0' <= r && r <= '9', '０' <= r && r <= '９',
		'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', 'ａ' <= r && r <= 'ｚ', 'Ａ' <= r && r <= 'Ｚ':
		return true
	}
	return strings.ContainsRune("零〇一二三四五六七八九十百千", r)
}

// FindHouseNumber returns the first house number in the detail part of an
// address, e.g. "969号" in "文一西路969号", and whether there is one. A house
// number is a run of digits, Chinese numerals or letters directly followed
// by a marker such as 号, 弄, 栋, 座, 室 or 单元. It is a heuristic: reviewers
// want the address "detailed to the house number", and an address without
// any such token is the one that needs the remark.
func FindHouseNumber(detail string) (string, bool) {
	start := -1
	for i, r := range detail {
		if isNumberRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			for _, m := range houseNumberMarkers {
				if strings.HasPrefix(detail[i:], m) {
					return detail[start : i+len(m)], true
				}
			}
		}
		start = -1
	}
	return "", false
}

// normalizeCity lets "杭州" and "杭州市" compare equal; forms list the name
// with the suffix, users often type it without.
func normalizeCity(city string) string {
	city = strings.TrimSpace(city)
	if strings.HasSuffix(city, "市") && utf8.RuneCountInString(city) > 2 {
		return strings.TrimSuffix(city, "市")
	}
	return city
}

// checkAddresses checks both subject addresses and how they relate to each
// other and to the filing province.
func (v *validator) checkAddresses(provinceOK, natureOK bool) {
	s := &v.app.Subject
	certOK := v.checkAddress("subject.certificate_address", &s.CertificateAddress)
	mailOK := v.checkAddress("subject.mailing_address", &s.MailingAddress)
	cert, mail := &s.CertificateAddress, &s.MailingAddress
	if certOK && mailOK {
		switch {
		case !sameProvince(cert.Province, mail.Province):
			if v.pr.addressSameProvince {
				v.add("subject.mailing_address.province", CodeAddressProvinceMismatch)
			}
		case v.pr.addressSameCity && normalizeCity(cert.City) != normalizeCity(mail.City):
			v.add("subject.mailing_address.city", CodeAddressCityMismatch)
		}
	}
	if certOK && provinceOK && natureOK && !s.Nature.Personal() &&
		v.pr.orgInDomicileProvince && !sameProvince(s.Province, cert.Province) {
		v.add("subject.province", CodeCrossProvince)
	}
	if remark := v.pr.houseNumberRemark; remark != "" && strings.TrimSpace(mail.Detail) != "" {
		if _, ok := FindHouseNumber(mail.Detail); !ok && !strings.Contains(v.app.Remarks, remark) {
			v.add("subject.mailing_address.detail", CodeAddressNoHouseNumber, remark)
		}
	}
}

// checkAddress checks the required parts of one address and says whether
// its province and city are usable for comparisons.
func (v *validator) checkAddress(prefix string, a *filing.Address) bool {
	ok := v.province(prefix, "province", a.Province)
	ok = v.required(prefix, "city", a.City) && ok
	v.required(prefix, "detail", a.Detail)
	return ok
}
