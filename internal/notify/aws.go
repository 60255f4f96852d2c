package notify

import (
	"context"
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// awsError describes a failed AWS call as a ProviderError, dropping the
// provider's text (it may quote the recipient). Errors whose code is in
// permanent refuse the message itself; everything else (throttling, 5xx,
// the network, credentials or quotas an operator can fix) is retryable.
// A call cut short by ctx returns ctx's error, so callers can tell their
// own deadline or shutdown from a provider failure.
func awsError(ctx context.Context, provider string, m Message, err error, permanent map[string]bool) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("notify: %s %s for filing %s: %w", provider, m.Event, m.FilingID, ctxErr)
	}
	pe := &ProviderError{Provider: provider, Code: "network"}
	var re *awshttp.ResponseError
	// The SDK wraps a failure to connect in a ResponseError too, without a
	// status: that one stays "network".
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil && re.HTTPStatusCode() > 0 {
		pe.Status, pe.Code = re.HTTPStatusCode(), "Unknown"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		pe.Code = ae.ErrorCode()
		pe.Permanent = permanent[pe.Code]
	}
	return fmt.Errorf("notify: %s %s for filing %s: %w", provider, m.Event, m.FilingID, pe)
}

// refuse is a permanent failure found before calling the provider.
func refuse(provider string, m Message, code string) error {
	return fmt.Errorf("notify: %s %s for filing %s: %w", provider, m.Event, m.FilingID,
		&ProviderError{Provider: provider, Code: code, Permanent: true})
}

// render is Render for a gateway: a message that cannot be rendered will
// never render, so the failure is permanent.
func render(provider string, m Message) (subject, body string, err error) {
	subject, body, err = Render(m)
	if err != nil {
		return "", "", fmt.Errorf("%w (%s): %w", err, provider, ErrPermanent)
	}
	return subject, body, nil
}
