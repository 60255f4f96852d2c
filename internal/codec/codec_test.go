package codec_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/internal/codec"
)

func keyring(t *testing.T, ids ...string) string {
	t.Helper()
	var lines []string
	for _, id := range ids {
		l, err := codec.NewKeyLine(id)
		require.NoError(t, err)
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func TestAnEncryptedPayloadShowsNothingOfWhatItCarries(t *testing.T) {
	keys, err := codec.ParseKeys(keyring(t, "2026-11"))
	require.NoError(t, err)
	dc := codec.New(keys).DataConverter()
	secret := map[string]string{"name": "张伟", "id_number": "110101199003074514", "phone": "13800138000"}
	p, err := dc.ToPayload(secret)
	require.NoError(t, err)
	assert.Equal(t, codec.Encoding, string(p.Metadata[converter.MetadataEncoding]))
	assert.Equal(t, "2026-11", string(p.Metadata[codec.MetadataKeyID]))
	for _, v := range []string{"张伟", "110101199003074514", "13800138000", "json/plain", "id_number"} {
		assert.False(t, bytes.Contains(p.Data, []byte(v)), "%s in the ciphertext", v)
	}
	var back map[string]string
	require.NoError(t, dc.FromPayload(p, &back))
	assert.Equal(t, secret, back)
}

func TestRotatedKeysStillDecryptOldPayloadsAndNewOnesUseTheNewest(t *testing.T) {
	old := keyring(t, "k1")
	before, err := codec.ParseKeys(old)
	require.NoError(t, err)
	p, err := codec.New(before).DataConverter().ToPayload("before rotation")
	require.NoError(t, err)

	after, err := codec.ParseKeys(old + "\n" + keyring(t, "k2"))
	require.NoError(t, err)
	dc := codec.New(after).DataConverter()
	var s string
	require.NoError(t, dc.FromPayload(p, &s))
	assert.Equal(t, "before rotation", s)
	p2, err := dc.ToPayload("after rotation")
	require.NoError(t, err)
	assert.Equal(t, "k2", string(p2.Metadata[codec.MetadataKeyID]))

	// A key removed too early: the payload cannot be read, and says why.
	onlyNew, err := codec.ParseKeys(keyring(t, "k3"))
	require.NoError(t, err)
	err = codec.New(onlyNew).DataConverter().FromPayload(p, &s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"k1"`)
}

func TestPayloadsWrittenBeforeEncryptionPassThrough(t *testing.T) {
	keys, err := codec.ParseKeys(keyring(t, "k1"))
	require.NoError(t, err)
	plain, err := converter.GetDefaultDataConverter().ToPayload("old history")
	require.NoError(t, err)
	var s string
	require.NoError(t, codec.New(keys).DataConverter().FromPayload(plain, &s))
	assert.Equal(t, "old history", s)
}

func TestATamperedPayloadOrAMovedKeyIDIsRefused(t *testing.T) {
	keys, err := codec.ParseKeys(keyring(t, "a", "b"))
	require.NoError(t, err)
	c := codec.New(keys)
	enc, err := c.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	require.NoError(t, err)
	flipped := &commonpb.Payload{Metadata: enc[0].Metadata, Data: append([]byte(nil), enc[0].Data...)}
	flipped.Data[len(flipped.Data)-1] ^= 1
	_, err = c.Decode([]*commonpb.Payload{flipped})
	assert.Error(t, err)
	moved := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(codec.Encoding),
		codec.MetadataKeyID: []byte("a")}, Data: enc[0].Data}
	_, err = c.Decode([]*commonpb.Payload{moved})
	assert.Error(t, err, "the key ID is authenticated")
}

func TestAKeyFileMayCarryCommentsWithCommas(t *testing.T) {
	keys, err := codec.ParseKeys("# keys, oldest first, the last current\n" + keyring(t, "a") + "\n\n" + keyring(t, "b") + "," + keyring(t, "c") + "\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, keys.IDs())
	assert.Equal(t, "c", keys.CurrentID())
}

func TestBadKeyConfigurationIsRefusedWithoutQuotingKeys(t *testing.T) {
	for _, spec := range []string{"", "# only a comment", "k1", "k1:not-base64!", "k1:AAAA", "bad id:" + strings.Repeat("A", 44),
		keyring(t, "k1") + "," + keyring(t, "k1")} {
		_, err := codec.ParseKeys(spec)
		require.Error(t, err, "%q", spec)
		assert.NotContains(t, err.Error(), "AAAA")
	}
}
