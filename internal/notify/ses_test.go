package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
)

var jsonHeader = map[string]string{"Content-Type": "application/json"}

const sesSent = `{"MessageId":"0100018f-0000-4000-8000-000000000001-000000"}`

// sesError is an SES v2 REST-JSON error; the message quotes the address as
// real ones may.
func sesError(code string) reply {
	return reply{header: map[string]string{"Content-Type": "application/json", "X-Amzn-ErrorType": code},
		body: `{"message":"Illegal address: zhang.wei@example.com"}`}
}

func emailMessage() notify.Message {
	return notify.Message{FilingID: "f-1", Event: notify.EventBureauApproved, Channel: notify.Email,
		To: "zhang.wei@example.com", Params: map[string]string{"filing_number": "浙ICP备2026000001号-2"}}
}

// sendEmailBody is the part of SendEmail's request body the sender fills.
type sendEmailBody struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses []string }
	Content          struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text struct{ Data, Charset string }
			}
		}
	}
}

func TestSESSenderSendsTheRenderedUTF8TextToTheAddress(t *testing.T) {
	fake := newFakeAWS(t, reply{200, jsonHeader, sesSent})
	sender := notify.NewSESSender(sesClient(fake.url), "beian@cloud.example")

	m := emailMessage()
	require.NoError(t, sender.Send(context.Background(), m))

	reqs := fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].method)
	assert.Equal(t, "/v2/email/outbound-emails", reqs[0].path)
	assert.Contains(t, reqs[0].header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDTEST/")
	var got sendEmailBody
	require.NoError(t, json.Unmarshal(reqs[0].body, &got), "%s", reqs[0].body)
	subject, body, err := notify.Render(m)
	require.NoError(t, err)
	assert.Equal(t, "beian@cloud.example", got.FromEmailAddress)
	assert.Equal(t, []string{"zhang.wei@example.com"}, got.Destination.ToAddresses)
	assert.Equal(t, subject, got.Content.Simple.Subject.Data)
	assert.Equal(t, "UTF-8", got.Content.Simple.Subject.Charset)
	assert.Equal(t, body, got.Content.Simple.Body.Text.Data)
	assert.Equal(t, "UTF-8", got.Content.Simple.Body.Text.Charset)
	assert.Contains(t, got.Content.Simple.Body.Text.Data, "浙ICP备2026000001号-2")
}

func TestSESErrorsArePermanentOnlyWhenTheMessageIsRefused(t *testing.T) {
	tests := []struct {
		status    int
		code      string
		permanent bool
	}{
		{400, "BadRequestException", true},
		{400, "MessageRejected", true},
		{429, "TooManyRequestsException", false},
		{400, "SendingPausedException", false},
		{500, "InternalServiceErrorException", false},
		{503, "ServiceUnavailable", false},
	}
	fake := newFakeAWS(t, reply{})
	sender := notify.NewSESSender(sesClient(fake.url), "beian@cloud.example")
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r := sesError(tt.code)
			r.status = tt.status
			fake.reply(r)
			err := sender.Send(context.Background(), emailMessage())
			require.Error(t, err)
			assert.Equal(t, tt.permanent, errors.Is(err, notify.ErrPermanent), "%v", err)
			var pe *notify.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, notify.ProviderError{Provider: "ses", Code: tt.code, Status: tt.status, Permanent: tt.permanent}, *pe)
			assert.NotContains(t, err.Error(), "zhang.wei")
		})
	}
}

func TestSESRefusesWhatItCannotSendWithoutCallingAWS(t *testing.T) {
	fake := newFakeAWS(t, reply{200, jsonHeader, sesSent})
	sender := notify.NewSESSender(sesClient(fake.url), "beian@cloud.example")
	sms := emailMessage()
	sms.Channel, sms.To = notify.SMS, "13812348000"
	badAddress := emailMessage()
	badAddress.To = "zhang.wei(at)example.com"
	unknownEvent := emailMessage()
	unknownEvent.Event = "bureau_exploded"
	for name, m := range map[string]notify.Message{"sms": sms, "malformed address": badAddress, "unknown event": unknownEvent} {
		err := sender.Send(context.Background(), m)
		assert.ErrorIs(t, err, notify.ErrPermanent, name)
		assert.NotContains(t, err.Error(), m.To, name)
	}
	assert.Empty(t, fake.received())
}
