package documents_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestADownloadURLOpensItsDocumentUntilItExpires(t *testing.T) {
	clock := testenv.NewClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	key := []byte(strings.Repeat("k", 32))
	signer, err := documents.NewDownloadSigner(key, 5*time.Minute, clock.Now)
	require.NoError(t, err)

	token, expires := signer.Sign("filings/f-1/materials/m-1")
	assert.Equal(t, clock.Now().Add(5*time.Minute), expires)
	got, err := signer.Verify(token)
	require.NoError(t, err)
	assert.Equal(t, "filings/f-1/materials/m-1", got)

	clock.Advance(5 * time.Minute)
	_, err = signer.Verify(token)
	assert.ErrorIs(t, err, documents.ErrDownloadExpired)
}

func TestADownloadURLCannotBeForgedOrRetargeted(t *testing.T) {
	clock := testenv.NewClock(time.Now())
	signer, err := documents.NewDownloadSigner([]byte(strings.Repeat("k", 32)), time.Minute, clock.Now)
	require.NoError(t, err)
	other, err := documents.NewDownloadSigner([]byte(strings.Repeat("o", 32)), time.Minute, clock.Now)
	require.NoError(t, err)
	token, _ := signer.Sign("filings/f-1/materials/m-1")
	forged, _ := other.Sign("filings/f-1/materials/m-1")

	body, mac, _ := strings.Cut(token, ".")
	retargeted, _ := signer.Sign("filings/f-2/materials/m-9")
	_, retargetedMAC, _ := strings.Cut(retargeted, ".")
	for name, tok := range map[string]string{
		"signed with another key":       forged,
		"another key's MAC on this one": body + "." + retargetedMAC,
		"no MAC":                        body,
		"garbage":                       "not-a-token",
		"MAC alone":                     "." + mac,
	} {
		_, err := signer.Verify(tok)
		assert.ErrorIs(t, err, documents.ErrDownloadInvalid, name)
	}
}

func TestADownloadSignerNeedsAKeyLongEnough(t *testing.T) {
	_, err := documents.NewDownloadSigner([]byte("short"), time.Minute, nil)
	assert.Error(t, err)
	_, err = documents.NewDownloadSigner([]byte(strings.Repeat("k", 32)), 0, nil)
	assert.Error(t, err)
}
