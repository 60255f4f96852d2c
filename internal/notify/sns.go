package notify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/beianflow/beianflow/rules"
)

// SNSOptions configures NewSNSSender.
type SNSOptions struct {
	// SenderID is the alphanumeric sender ID shown to the recipient where
	// carriers support one; empty leaves the account's default.
	SenderID string
}

// snsPermanent are the SNS error codes that refuse the message itself:
// sending it again cannot succeed.
var snsPermanent = map[string]bool{
	"InvalidParameter":      true,
	"ParameterValueInvalid": true,
	"ValidationException":   true,
	"OptedOut":              true,
}

type snsSender struct {
	client *sns.Client
	opts   SNSOptions
}

// NewSNSSender returns a Sender that delivers SMS messages through Amazon
// SNS Publish to the recipient's number in E.164 (+86…), as transactional
// messages (SNS routes those for reliability, not cost). It sends the body
// only, and refuses e-mail and numbers that are not mainland mobiles
// permanently. Errors never quote the recipient; see ProviderError.
func NewSNSSender(client *sns.Client, opts SNSOptions) Sender {
	return snsSender{client: client, opts: opts}
}

// Send implements Sender.
func (s snsSender) Send(ctx context.Context, m Message) error {
	phone, _, body, err := prepare("sns", SMS, m, rules.ParseMobile)
	if err != nil {
		return err
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if s.opts.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = types.MessageAttributeValue{
			DataType: aws.String("String"), StringValue: aws.String(s.opts.SenderID)}
	}
	_, err = s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(phone.E164()),
		Message:           aws.String(body),
		MessageAttributes: attrs,
	})
	if err != nil {
		return awsError(ctx, "sns", m, err, snsPermanent)
	}
	return nil
}
