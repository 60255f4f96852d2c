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
