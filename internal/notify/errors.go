package notify

import (
	"errors"
	"fmt"
)

// ErrPermanent marks a failure that sending the same message again cannot
// cure: the gateway refused the recipient or the content. Callers that retry
// (package outbox) give up on such a message at once; every other error is
// taken to be passing (throttling, an outage, the network) and retried.
var ErrPermanent = errors.New("permanent delivery failure")

// ProviderError is a gateway's refusal or failure, told by its provider,
// code and HTTP status only. Gateways often quote the phone number or
// address in their error text, so that text is dropped and Error() is safe
// to log and store. It matches ErrPermanent under errors.Is when Permanent.
type ProviderError struct {
	// Provider names the gateway: "sns" or "ses".
	Provider string
	// Code is the provider's error code ("InvalidParameter", "Throttled"),
	// "network" when no answer arrived, or one of this package's codes for
	// a message refused before it was sent ("InvalidRecipient",
	// "UnsupportedChannel").
	Code string
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Permanent reports that sending again cannot succeed.
	Permanent bool
}

// Error returns the provider, code, status and class, e.g.
// "sns InvalidParameter (HTTP 400, permanent)".
func (e *ProviderError) Error() string {
	class := "retryable"
	if e.Permanent {
		class = "permanent"
	}
	if e.Status == 0 {
		return fmt.Sprintf("%s %s (%s)", e.Provider, e.Code, class)
	}
	return fmt.Sprintf("%s %s (HTTP %d, %s)", e.Provider, e.Code, e.Status, class)
}

// Is makes a permanent ProviderError match ErrPermanent.
func (e *ProviderError) Is(target error) bool { return target == ErrPermanent && e.Permanent }
