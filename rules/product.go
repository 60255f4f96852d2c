package rules

import "strings"

// Service numbers (备案服务号 / 备案授权码) are opaque provider codes; no
// provider publishes their format, so the check only catches obvious
// mistakes: 10–32 ASCII letters and digits.
const (
	serviceNumberMinLen = 10
	serviceNumberMaxLen = 32
)

// checkProduct checks that exactly one kind of product verification is
// given and that it is complete.
func (v *validator) checkProduct() {
	p := &v.app.Product
	sn := strings.TrimSpace(p.ServiceNumber)
	switch {
	case p.CloudInstance == nil && sn == "":
		v.add("product", CodeProductMissing)
	case p.CloudInstance != nil && sn != "":
		v.add("product", CodeProductAmbiguous)
	case p.CloudInstance != nil:
		v.required("product.cloud_instance", "instance_id", p.CloudInstance.InstanceID)
		v.required("product.cloud_instance", "region", p.CloudInstance.Region)
	case !validServiceNumber(sn):
		v.add("product.service_number", CodeServiceNumberFormat)
	}
}

func validServiceNumber(s string) bool {
	if len(s) < serviceNumberMinLen || len(s) > serviceNumberMaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
