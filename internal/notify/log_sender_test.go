package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
)

func TestLogSenderNeverWritesTheClearRecipient(t *testing.T) {
	tests := []struct {
		channel notify.Channel
		to      string
		masked  string
	}{
		{notify.SMS, "13812348000", "138****8000"},
		{notify.SMS, "+8613812348000", "+86138****8000"},
		{notify.Email, "zhang.wei@example.com", "z***@example.com"},
		{notify.Email, "张伟@example.cn", "张***@example.cn"},
	}
	for _, tt := range tests {
		t.Run(tt.masked, func(t *testing.T) {
			var out bytes.Buffer
			sender := notify.NewLogSender(slog.New(slog.NewJSONHandler(&out, nil)))
			err := sender.Send(context.Background(), notify.Message{
				FilingID: "f-1", Event: notify.EventBureauApproved, Channel: tt.channel, To: tt.to,
				Params: map[string]string{"filing_number": "浙ICP备2026000001号-2"},
			})
			require.NoError(t, err)
			line := out.String()
			assert.NotContains(t, line, tt.to)
			assert.Contains(t, line, `"to":"`+tt.masked+`"`)
			assert.Contains(t, line, `"filing_id":"f-1"`)
			assert.Contains(t, line, `"event":"bureau_approved"`)
			assert.Contains(t, line, `"channel":"`+string(tt.channel)+`"`)
			assert.NotContains(t, line, "浙ICP备", "parameters and text stay out of the log")
		})
	}
}

func TestLogSenderRefusesWhatARealGatewayWould(t *testing.T) {
	var out bytes.Buffer
	sender := notify.NewLogSender(slog.New(slog.NewTextHandler(&out, nil)))
	ok := notify.Message{FilingID: "f-1", Event: notify.EventOrderCancelled, Channel: notify.SMS, To: "13812348000"}
	require.NoError(t, sender.Send(context.Background(), ok))

	for name, m := range map[string]notify.Message{
		"missing parameter": {FilingID: "f-1", Event: notify.EventIdleReminder, Channel: notify.SMS, To: "13812348000"},
		"unknown channel":   {FilingID: "f-1", Event: notify.EventOrderCancelled, Channel: "fax", To: "13812348000"},
		"no recipient":      {FilingID: "f-1", Event: notify.EventOrderCancelled, Channel: notify.Email},
	} {
		out.Reset()
		err := sender.Send(context.Background(), m)
		assert.Error(t, err, name)
		assert.NotContains(t, err.Error(), "13812348000", name)
		assert.Empty(t, out.String(), name)
	}
}

func TestMaskRecipientHidesShortValuesWhole(t *testing.T) {
	assert.Equal(t, "****", notify.MaskRecipient("12345"))
	assert.Equal(t, "***", notify.MaskRecipient("@example.com"))
	assert.Equal(t, "***", notify.MaskRecipient("zhang@"))
}

func TestChannelsRoutesByChannelAndRefusesOthersPermanently(t *testing.T) {
	var smsLog, emailLog bytes.Buffer
	c := notify.Channels{
		notify.SMS:   notify.NewLogSender(slog.New(slog.NewTextHandler(&smsLog, nil))),
		notify.Email: notify.NewLogSender(slog.New(slog.NewTextHandler(&emailLog, nil))),
	}
	m := notify.Message{FilingID: "f-1", Event: notify.EventOrderCancelled, Channel: notify.Email, To: "zhang@example.com"}
	require.NoError(t, c.Send(context.Background(), m))
	assert.Empty(t, smsLog.String())
	assert.Contains(t, emailLog.String(), "channel=email")

	delete(c, notify.Email)
	assert.ErrorIs(t, c.Send(context.Background(), m), notify.ErrPermanent)
}
