// Package rules holds the filing rules that reviewers and provincial bureaus
// apply: reference data, validators and filing-type determination. It is pure
// Go with no Temporal or HTTP imports so the workflow, the API and the dry-run
// endpoint share one implementation.
package rules

import "strings"

// Province identifies a provincial-level administrative division whose
// Communications Administration (通信管理局) reviews filings.
type Province struct {
	// Code is the ISO 3166-2:CN subdivision code without the "CN-" prefix,
	// e.g. "ZJ". It is the identifier used across the API and storage.
	Code string
	// Name is the Chinese name, e.g. "浙江".
	Name string
	// Abbrev is the one-character abbreviation used in filing numbers,
	// e.g. "浙" in 浙ICP备12345678号.
	Abbrev string
}

// provinces lists the 31 mainland divisions that issue ICP filing numbers.
// Hong Kong, Macau and Taiwan are outside the MIIT filing system.
var provinces = []Province{
	{"BJ", "北京", "京"}, {"TJ", "天津", "津"}, {"HE", "河北", "冀"}, {"SX", "山西", "晋"},
	{"NM", "内蒙古", "蒙"}, {"LN", "辽宁", "辽"}, {"JL", "吉林", "吉"}, {"HL", "黑龙江", "黑"},
	{"SH", "上海", "沪"}, {"JS", "江苏", "苏"}, {"ZJ", "浙江", "浙"}, {"AH", "安徽", "皖"},
	{"FJ", "福建", "闽"}, {"JX", "江西", "赣"}, {"SD", "山东", "鲁"}, {"HA", "河南", "豫"},
	{"HB", "湖北", "鄂"}, {"HN", "湖南", "湘"}, {"GD", "广东", "粤"}, {"GX", "广西", "桂"},
	{"HI", "海南", "琼"}, {"CQ", "重庆", "渝"}, {"SC", "四川", "川"}, {"GZ", "贵州", "黔"},
	{"YN", "云南", "滇"}, {"XZ", "西藏", "藏"}, {"SN", "陕西", "陕"}, {"GS", "甘肃", "甘"},
	{"QH", "青海", "青"}, {"NX", "宁夏", "宁"}, {"XJ", "新疆", "新"},
}

var provinceByCode = func() map[string]Province {
	m := make(map[string]Province, len(provinces))
	for _, p := range provinces {
		m[p.Code] = p
	}
	return m
}()

// LookupProvince returns the province for an ISO 3166-2:CN code. It accepts
// the code with or without the "CN-" prefix, in any letter case.
func LookupProvince(code string) (Province, bool) {
	code = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(code)), "CN-")
	p, ok := provinceByCode[code]
	return p, ok
}

// divisionCodes are the GB/T 2260 province-level codes; resident ID numbers
// issued in a province start with its code.
var divisionCodes = map[string]string{
	"BJ": "11", "TJ": "12", "HE": "13", "SX": "14", "NM": "15",
	"LN": "21", "JL": "22", "HL": "23",
	"SH": "31", "JS": "32", "ZJ": "33", "AH": "34", "FJ": "35", "JX": "36", "SD": "37",
	"HA": "41", "HB": "42", "HN": "43", "GD": "44", "GX": "45", "HI": "46",
	"CQ": "50", "SC": "51", "GZ": "52", "YN": "53", "XZ": "54",
	"SN": "61", "GS": "62", "QH": "63", "NX": "64", "XJ": "65",
}

// DivisionCode returns the two-digit GB/T 2260 code of the province, e.g.
// "33" for Zhejiang, or "" for the zero Province.
func (p Province) DivisionCode() string { return divisionCodes[p.Code] }

// ProvinceOfDivision returns the province whose GB/T 2260 code starts
// division, e.g. "33" or "330106" for Zhejiang.
func ProvinceOfDivision(division string) (Province, bool) {
	if len(division) < 2 {
		return Province{}, false
	}
	for code, d := range divisionCodes {
		if d == division[:2] {
			return LookupProvince(code)
		}
	}
	return Province{}, false
}

// Provinces returns all provinces in a stable order.
func Provinces() []Province {
	out := make([]Province, len(provinces))
	copy(out, provinces)
	return out
}
