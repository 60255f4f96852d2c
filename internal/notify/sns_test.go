package notify_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
)

const snsPublished = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
  <ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>
</PublishResponse>`

// snsError is SNS's query-protocol error document. Real messages quote the
// number, as this one does, which is why the senders drop them.
func snsError(code string) string {
	return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>` + code + `</Code>
    <Message>Invalid parameter: PhoneNumber Reason: +8613812348000 is not valid to publish to</Message></Error>
  <RequestId>9b1a2c33-0000-4000-8000-000000000001</RequestId>
</ErrorResponse>`
}

var xmlHeader = map[string]string{"Content-Type": "text/xml"}

func smsMessage() notify.Message {
	return notify.Message{FilingID: "f-1", Event: notify.EventBureauApproved, Channel: notify.SMS,
		To: "138 1234 8000", Params: map[string]string{"filing_number": "浙ICP备2026000001号-2"}}
}

// form parses a query-protocol request body.
func form(t *testing.T, r request) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(r.body))
	require.NoError(t, err)
	return v
}

// attributes collects the MessageAttributes.entry.N.* fields by name.
func attributes(v url.Values) map[string]string {
	out := map[string]string{}
	for k := range v {
		if n, ok := strings.CutSuffix(k, ".Name"); ok && strings.HasPrefix(k, "MessageAttributes.entry.") {
			if v.Get(n+".Value.DataType") == "String" {
				out[v.Get(k)] = v.Get(n + ".Value.StringValue")
			}
		}
	}
	return out
}

func TestSNSSenderPublishesTheRenderedBodyToTheE164Number(t *testing.T) {
	fake := newFakeAWS(t, reply{200, xmlHeader, snsPublished})
	sender := notify.NewSNSSender(snsClient(fake.url), notify.SNSOptions{SenderID: "BEIAN"})

	m := smsMessage()
	require.NoError(t, sender.Send(context.Background(), m))

	reqs := fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].method)
	assert.Contains(t, reqs[0].header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDTEST/", "signed with the static credentials")
	v := form(t, reqs[0])
	assert.Equal(t, "Publish", v.Get("Action"))
	assert.Equal(t, "+8613812348000", v.Get("PhoneNumber"))
	_, body, err := notify.Render(m)
	require.NoError(t, err)
	assert.Equal(t, body, v.Get("Message"), "the body only, in UTF-8")
	assert.Contains(t, v.Get("Message"), "浙ICP备2026000001号-2")
	assert.Equal(t, map[string]string{"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "BEIAN"}, attributes(v))
}

func TestSNSSenderWithoutSenderIDSendsOnlyTheSMSType(t *testing.T) {
	fake := newFakeAWS(t, reply{200, xmlHeader, snsPublished})
	require.NoError(t, notify.NewSNSSender(snsClient(fake.url), notify.SNSOptions{}).Send(context.Background(), smsMessage()))
	assert.Equal(t, map[string]string{"AWS.SNS.SMS.SMSType": "Transactional"}, attributes(form(t, fake.received()[0])))
}

func TestSNSErrorsArePermanentOnlyWhenTheMessageIsRefused(t *testing.T) {
	tests := []struct {
		status    int
		code      string
		permanent bool
	}{
		{400, "InvalidParameter", true},
		{400, "ParameterValueInvalid", true},
		{400, "OptedOut", true},
		{429, "Throttled", false},
		{403, "AuthorizationError", false},
		{500, "InternalError", false},
		{503, "ServiceUnavailable", false},
	}
	fake := newFakeAWS(t, reply{})
	sender := notify.NewSNSSender(snsClient(fake.url), notify.SNSOptions{})
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			fake.reply(reply{tt.status, xmlHeader, snsError(tt.code)})
			err := sender.Send(context.Background(), smsMessage())
			require.Error(t, err)
			assert.Equal(t, tt.permanent, errors.Is(err, notify.ErrPermanent), "%v", err)
			var pe *notify.ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, notify.ProviderError{Provider: "sns", Code: tt.code, Status: tt.status, Permanent: tt.permanent}, *pe)
			assert.NotContains(t, err.Error(), "13812348000", "the provider's text quotes the number; it must not leak")
			assert.NotContains(t, err.Error(), "not valid")
		})
	}
}

func TestSNSServiceUnavailableWithoutABodyIsRetryable(t *testing.T) {
	fake := newFakeAWS(t, reply{status: 503})
	err := notify.NewSNSSender(snsClient(fake.url), notify.SNSOptions{}).Send(context.Background(), smsMessage())
	require.Error(t, err)
	assert.NotErrorIs(t, err, notify.ErrPermanent)
	var pe *notify.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 503, pe.Status)
}

func TestSNSUnreachableIsRetryable(t *testing.T) {
	sender := notify.NewSNSSender(snsClient("http://127.0.0.1:1"), notify.SNSOptions{})
	err := sender.Send(context.Background(), smsMessage())
	require.Error(t, err)
	assert.NotErrorIs(t, err, notify.ErrPermanent)
	var pe *notify.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "network", pe.Code)
	assert.NotContains(t, err.Error(), "13812348000")
}

func TestSNSRefusesWhatItCannotSendWithoutCallingAWS(t *testing.T) {
	fake := newFakeAWS(t, reply{200, xmlHeader, snsPublished})
	sender := notify.NewSNSSender(snsClient(fake.url), notify.SNSOptions{})
	email := smsMessage()
	email.Channel, email.To = notify.Email, "zhang@example.com"
	badNumber := smsMessage()
	badNumber.To = "+1 555 0100 138"
	missingParam := smsMessage()
	missingParam.Params = nil
	for name, m := range map[string]notify.Message{"e-mail": email, "foreign number": badNumber, "missing parameter": missingParam} {
		err := sender.Send(context.Background(), m)
		assert.ErrorIs(t, err, notify.ErrPermanent, name)
		assert.NotContains(t, err.Error(), m.To, name)
	}
	assert.Empty(t, fake.received())
}
