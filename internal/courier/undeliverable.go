package courier

import (
	"strings"

	"github.com/beianflow/beianflow/rules"
)

// Reason codes of an UndeliverableError: what the applicant must fix. They
// name fields, never values, which are personal data.
const (
	// ReasonAddressNotMainland: the province is missing or not one of the
	// 31 mainland divisions (Hong Kong, Macau and Taiwan included).
	ReasonAddressNotMainland = "address_not_mainland"
	// ReasonAddressCityMissing: the address has no city.
	ReasonAddressCityMissing = "address_city_missing"
	// ReasonAddressDetailMissing: the address has no street detail.
	ReasonAddressDetailMissing = "address_detail_missing"
	// ReasonRecipientNameMissing: the recipient has no name.
	ReasonRecipientNameMissing = "recipient_name_missing"
	// ReasonRecipientMobileMissing: the recipient has no mobile number.
	ReasonRecipientMobileMissing = "recipient_mobile_missing"
)

// UndeliverableError is ErrUndeliverable with the courier's reasons, so
// that the applicant can be told what to fix; errors.Is(err,
// ErrUndeliverable) holds for it. The sandbox and HTTPClient return it; a
// courier that gives no reasons leaves Reasons empty.
type UndeliverableError struct {
	// FilingID is the filing the shipment was for.
	FilingID string
	// Reasons are reason codes such as ReasonAddressCityMissing; a real
	// courier may send codes of its own.
	Reasons []string
}

// Error names the filing and the reason codes, nothing of the address.
func (e *UndeliverableError) Error() string {
	msg := ErrUndeliverable.Error() + ": filing " + e.FilingID
	if len(e.Reasons) > 0 {
		msg += ": " + strings.Join(e.Reasons, ", ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrUndeliverable) hold.
func (e *UndeliverableError) Unwrap() error { return ErrUndeliverable }

// undeliverable lists what makes s undeliverable; none for a deliverable
// shipment.
func undeliverable(s Shipment) []string {
	var reasons []string
	// rules knows only the 31 mainland divisions, so Hong Kong, Macau and
	// Taiwan are refused here too: backdrops ship to the mainland only.
	if _, ok := rules.LookupProvince(s.Address.Province); !ok {
		reasons = append(reasons, ReasonAddressNotMainland)
	}
	for _, f := range []struct{ reason, value string }{
		{ReasonAddressCityMissing, s.Address.City},
		{ReasonAddressDetailMissing, s.Address.Detail},
		{ReasonRecipientNameMissing, s.Recipient.Name},
		{ReasonRecipientMobileMissing, s.Recipient.Mobile},
	} {
		if strings.TrimSpace(f.value) == "" {
			reasons = append(reasons, f.reason)
		}
	}
	return reasons
}
