package standardwebhooks_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/standardwebhooks"
)

// The test vector published with the specification's reference libraries
// (github.com/standard-webhooks/standard-webhooks, libraries/go/
// webhook_test.go TestWebhookSign, and the same values in the JavaScript,
// Python, Ruby, PHP, Java, C# and Elixir tests).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// A filing event as we would push it.
var (
	sentAt  = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	msgID   = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	payload = []byte(`{"type":"filing.approved","timestamp":"2026-11-02T10:00:00Z","data":{"filing_id":"f1"}}`)
)

func mustSecret(t *testing.T) []byte {
	t.Helper()
	s, err := standardwebhooks.NewSecret()
	require.NoError(t, err)
	key, err := standardwebhooks.ParseSecret(s)
	require.NoError(t, err)
	return key
}

func TestThePublishedTestVectorSignsToThePublishedSignature(t *testing.T) {
	key, err := standardwebhooks.ParseSecret(vectorSecret)
	require.NoError(t, err)

	got := standardwebhooks.Sign(key, vectorMsgID, time.Unix(vectorTimestamp, 0), []byte(vectorPayload))

	assert.Equal(t, vectorSignature, got)
}

func TestThePublishedTestVectorVerifiesWhenReceivedOnTime(t *testing.T) {
	key, err := standardwebhooks.ParseSecret(vectorSecret)
	require.NoError(t, err)
	h := http.Header{}
	h.Set("webhook-id", vectorMsgID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", vectorSignature)

	err = standardwebhooks.Verify([][]byte{key}, h, []byte(vectorPayload), time.Unix(vectorTimestamp+60, 0), 0)

	assert.NoError(t, err)
}

func TestANewSecretIsPrefixedAndCarries32RandomBytes(t *testing.T) {
	a, err := standardwebhooks.NewSecret()
	require.NoError(t, err)
	b, err := standardwebhooks.NewSecret()
	require.NoError(t, err)

	assert.True(t, strings.HasPrefix(a, "whsec_"), "secret %q has no whsec_ prefix", a)
	key, err := standardwebhooks.ParseSecret(a)
	require.NoError(t, err)
	assert.Len(t, key, 32)
	assert.NotEqual(t, a, b, "two endpoints must never share a secret")
}

func TestASecretIsAcceptedWithOrWithoutItsPrefix(t *testing.T) {
	withPrefix, err := standardwebhooks.ParseSecret(vectorSecret)
	require.NoError(t, err)
	without, err := standardwebhooks.ParseSecret(strings.TrimPrefix(vectorSecret, "whsec_"))
	require.NoError(t, err)

	assert.Equal(t, withPrefix, without)
	assert.Len(t, withPrefix, 24)
}

func TestASecretThatIsNotBase64OrOfTheWrongLengthIsRefusedWithoutBeingQuoted(t *testing.T) {
	for name, s := range map[string]string{
		"empty":                 "",
		"prefix only":           "whsec_",
		"not base64":            "whsec_not*base64*at*all!",
		"url-safe alphabet":     "whsec_" + base64.URLEncoding.EncodeToString([]byte("\xfb\xff\xfe-24-bytes-of-key-material")),
		"unpadded":              "whsec_" + base64.RawStdEncoding.EncodeToString(make([]byte, 25)),
		"23 bytes, too short":   "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)),
		"65 bytes, beyond spec": "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := standardwebhooks.ParseSecret(s)

			require.ErrorIs(t, err, standardwebhooks.ErrInvalidSecret)
			if body := strings.TrimPrefix(s, "whsec_"); len(body) > 3 {
				assert.NotContains(t, err.Error(), body, "an error must not leak the secret into logs")
			}
		})
	}
}

func TestHeadersCarryTheIDTheUnixTimestampAndOneSignaturePerSecret(t *testing.T) {
	current, previous := mustSecret(t), mustSecret(t)

	h := standardwebhooks.Headers([][]byte{current, previous}, msgID, sentAt.Add(700*time.Millisecond), payload)

	assert.Equal(t, msgID, h.Get("webhook-id"))
	assert.Equal(t, "1793613600", h.Get("webhook-timestamp"))
	assert.Equal(t, []string{
		standardwebhooks.Sign(current, msgID, sentAt, payload),
		standardwebhooks.Sign(previous, msgID, sentAt, payload),
	}, strings.Split(h.Get("webhook-signature"), " "))
}

func TestAMessageVerifiesAsSent(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)

	assert.NoError(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(2*time.Second), 0))
}

func TestATamperedBodyDoesNotVerify(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
	tampered := []byte(strings.Replace(string(payload), "filing.approved", "filing.rejected", 1))

	err := standardwebhooks.Verify([][]byte{key}, h, tampered, sentAt, 0)

	assert.ErrorIs(t, err, standardwebhooks.ErrNoMatchingSignature)
}

func TestAReformattedJSONBodyDoesNotVerify(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
	reindented := []byte(strings.ReplaceAll(string(payload), ",", ", "))

	err := standardwebhooks.Verify([][]byte{key}, h, reindented, sentAt, 0)

	assert.ErrorIs(t, err, standardwebhooks.ErrNoMatchingSignature)
}

func TestAMessageReplayedUnderAnotherIDDoesNotVerify(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
	h.Set("webhook-id", "msg_someOtherMessage")

	err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0)

	assert.ErrorIs(t, err, standardwebhooks.ErrNoMatchingSignature)
}

func TestAMessageReplayedWithAFreshTimestampDoesNotVerify(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
	later := sentAt.Add(time.Hour)
	h.Set("webhook-timestamp", "1793617200")

	err := standardwebhooks.Verify([][]byte{key}, h, payload, later, 0)

	assert.ErrorIs(t, err, standardwebhooks.ErrNoMatchingSignature)
}

func TestAMessageSignedWithAnotherSecretDoesNotVerify(t *testing.T) {
	h := standardwebhooks.Headers([][]byte{mustSecret(t)}, msgID, sentAt, payload)

	err := standardwebhooks.Verify([][]byte{mustSecret(t)}, h, payload, sentAt, 0)

	assert.ErrorIs(t, err, standardwebhooks.ErrNoMatchingSignature)
}

func TestAMessageOlderThanTheToleranceIsRefusedAsTooOld(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)

	assert.NoError(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(5*time.Minute), 0),
		"exactly at the default tolerance is still on time")
	err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(5*time.Minute+time.Second), 0)

	require.ErrorIs(t, err, standardwebhooks.ErrBadTimestamp)
	assert.ErrorIs(t, err, standardwebhooks.ErrTimestampTooOld)
	assert.NotErrorIs(t, err, standardwebhooks.ErrTimestampTooNew)
}

func TestAMessageFromBeyondTheToleranceInTheFutureIsRefusedAsTooNew(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)

	assert.NoError(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(-5*time.Minute), 0),
		"a sender's clock a little ahead is tolerated")
	err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(-5*time.Minute-time.Second), 0)

	require.ErrorIs(t, err, standardwebhooks.ErrBadTimestamp)
	assert.ErrorIs(t, err, standardwebhooks.ErrTimestampTooNew)
	assert.NotErrorIs(t, err, standardwebhooks.ErrTimestampTooOld)
}

func TestAReceiverMayNarrowTheTolerance(t *testing.T) {
	key := mustSecret(t)
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)

	err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt.Add(31*time.Second), 30*time.Second)

	assert.ErrorIs(t, err, standardwebhooks.ErrTimestampTooOld)
}

func TestATimestampThatIsNotUnixSecondsIsRefused(t *testing.T) {
	key := mustSecret(t)
	for _, ts := range []string{"yesterday", "1793613600.5", "+1793613600", "-1", "2026-11-02T10:00:00Z", "99999999999999999999"} {
		t.Run(ts, func(t *testing.T) {
			h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
			h.Set("webhook-timestamp", ts)

			err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0)

			assert.ErrorIs(t, err, standardwebhooks.ErrBadTimestamp)
		})
	}
}

func TestASignatureMadeWithTheOldSecretStillVerifiesDuringARotation(t *testing.T) {
	oldKey, newKey := mustSecret(t), mustSecret(t)
	// A sender not yet switched signs with the old secret only.
	h := standardwebhooks.Headers([][]byte{oldKey}, msgID, sentAt, payload)

	assert.NoError(t, standardwebhooks.Verify([][]byte{oldKey, newKey}, h, payload, sentAt, 0))
	assert.ErrorIs(t, standardwebhooks.Verify([][]byte{newKey}, h, payload, sentAt, 0), standardwebhooks.ErrNoMatchingSignature,
		"once the rotation is over the old secret no longer counts")
}

func TestAMessageSignedWithBothSecretsVerifiesWithTheNewSecretAlone(t *testing.T) {
	oldKey, newKey := mustSecret(t), mustSecret(t)
	// During the rotation we sign with both, so a receiver that already
	// switched to the new secret accepts it, and one that has not, too.
	h := standardwebhooks.Headers([][]byte{oldKey, newKey}, msgID, sentAt, payload)

	assert.NoError(t, standardwebhooks.Verify([][]byte{newKey}, h, payload, sentAt, 0))
	assert.NoError(t, standardwebhooks.Verify([][]byte{oldKey}, h, payload, sentAt, 0))
}

func TestSignatureVersionsItDoesNotKnowAreIgnored(t *testing.T) {
	key := mustSecret(t)
	valid := standardwebhooks.Sign(key, msgID, sentAt, payload)
	_, b64, _ := strings.Cut(valid, ",")
	h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)

	// An ed25519 signature and a future version ahead of ours, and a
	// malformed entry, do not stop the v1 one from verifying.
	h.Set("webhook-signature", "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== v2,"+b64+" garbage "+valid)
	assert.NoError(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0))

	// Our HMAC under an unknown version label is not taken for a v1 one.
	h.Set("webhook-signature", "v1a,"+b64+" v2,"+b64)
	assert.ErrorIs(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0), standardwebhooks.ErrNoMatchingSignature)
}

func TestAMessageWithoutItsHeadersIsRefused(t *testing.T) {
	key := mustSecret(t)
	for _, missing := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
		t.Run(missing, func(t *testing.T) {
			h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
			h.Del(missing)

			err := standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0)

			assert.ErrorIs(t, err, standardwebhooks.ErrMissingHeaders)
		})
	}
	t.Run("blank signature", func(t *testing.T) {
		h := standardwebhooks.Headers([][]byte{key}, msgID, sentAt, payload)
		h.Set("webhook-signature", "  ")

		assert.ErrorIs(t, standardwebhooks.Verify([][]byte{key}, h, payload, sentAt, 0), standardwebhooks.ErrMissingHeaders)
	})
}

func TestAnEmptySecretNeverVerifiesAForgery(t *testing.T) {
	// Anybody can compute an HMAC under an empty key; a misconfigured
	// endpoint without a secret must refuse, not accept everything.
	forged := standardwebhooks.Headers([][]byte{{}}, msgID, sentAt, payload)

	assert.ErrorIs(t, standardwebhooks.Verify([][]byte{{}}, forged, payload, sentAt, 0), standardwebhooks.ErrNoMatchingSignature)
	assert.ErrorIs(t, standardwebhooks.Verify(nil, forged, payload, sentAt, 0), standardwebhooks.ErrNoMatchingSignature)
}

func TestAVerifierChecksWithItsOwnClockAndTolerance(t *testing.T) {
	oldKey, newKey := mustSecret(t), mustSecret(t)
	h := standardwebhooks.Headers([][]byte{oldKey}, msgID, sentAt, payload)
	now := sentAt.Add(4 * time.Minute)
	v := standardwebhooks.Verifier{Secrets: [][]byte{oldKey, newKey}, Now: func() time.Time { return now }}

	assert.NoError(t, v.Verify(h, payload), "within the default five minutes")

	v.Tolerance = time.Minute
	assert.ErrorIs(t, v.Verify(h, payload), standardwebhooks.ErrTimestampTooOld)
}
