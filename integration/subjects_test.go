package integration

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
)

// regions maps a province to a district code for credit codes issued there.
var regions = map[string]string{"ZJ": "330106", "SH": "310101", "GD": "440106", "BJ": "110105"}

var subjectSeq atomic.Int64

// newCompany returns the identity of a company not used by any other test,
// so the one-filing-per-subject rule never couples tests.
func newCompany(province string) (certNumber string) {
	n := subjectSeq.Add(1)
	body := fmt.Sprintf("MA%06d", n)
	return sample.CreditCode("91", regions[province], sample.OrgCode(body))
}

// createBody is a POST /v1/filings body for a company in province.
func createBody(account, province, domain, certNumber string) string {
	b, _ := json.Marshal(map[string]any{
		"account_id": account,
		"subject": map[string]any{
			"province": province, "nature": filing.NatureEnterprise,
			"certificate_type": filing.CertBusinessLicense, "certificate_number": certNumber,
		},
		"domain":  domain,
		"product": map[string]string{"instance_id": "i-" + account + "-web"},
	})
	return string(b)
}
