package notify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/beianflow/beianflow/rules"
)

// sesPermanent are the SES v2 error codes that refuse the message itself.
// Account-wide refusals (sending paused, account suspended, quota exceeded,
// an unverified MAIL FROM domain) are not among them: an operator can cure
// those, and the message should then go out.
var sesPermanent = map[string]bool{
	"BadRequestException": true,
	"MessageRejected":     true,
}

type sesSender struct {
	client *sesv2.Client
	from   string
}

// NewSESSender returns a Sender that delivers e-mail through Amazon SES v2
// SendEmail from the address from (a verified identity), as a simple
// message: the rendered subject and a plain-text body, both UTF-8. It
// refuses SMS and malformed addresses permanently. Errors never quote the
// recipient; see ProviderError.
func NewSESSender(client *sesv2.Client, from string) Sender {
	return sesSender{client: client, from: from}
}

// Send implements Sender.
func (s sesSender) Send(ctx context.Context, m Message) error {
	to, subject, body, err := prepare("ses", Email, m, rules.ParseEmail)
	if err != nil {
		return err
	}
	_, err = s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(body), Charset: aws.String("UTF-8")}},
		}},
	})
	if err != nil {
		return awsError(ctx, "ses", m, err, sesPermanent)
	}
	return nil
}
