package rules

import "testing"

func TestLandlineAreaCodesNameTheirProvince(t *testing.T) {
	for _, tt := range []struct {
		phone, want string
	}{
		{"010-62345678", "BJ"},       // Beijing
		{"(021) 5888 0000", "SH"},    // Shanghai
		{"+86 25 8468 0000", "JS"},   // Nanjing
		{"0571-88158000", "ZJ"},      // Hangzhou
		{"0755-86013388", "GD"},      // Shenzhen
		{"0898-65342000", "HI"},      // Haikou
		{"0891-6330000", "XZ"},       // Lhasa
		{"0351-4042000", "SX"},       // Taiyuan
		{"029-87291000", "SN"},       // Xi'an
		{"0991-2383000", "XJ"},       // Ürümqi
		{"0631-5813000", "SD"},       // Weihai
		{"0086 731 8220 0000", "HN"}, // Changsha
		{"0898 6534 2000（总机）", ""},   // free text
		{"13800138000", ""},          // a mobile has no area code
		{"88158000", ""},             // no area code
		{"0260-1234567", ""},         // no such code
		{"0890-1234567", ""},         // 0890 is no longer allotted
	} {
		p, ok := landlineProvince(tt.phone)
		if got := map[bool]string{true: p.Code}[ok]; got != tt.want {
			t.Errorf("landlineProvince(%q) = %q, want %q", tt.phone, got, tt.want)
		}
	}
}
