package apikeys_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/apikeys"
)

func TestAMintedKeyParsesAndMatchesOnlyItsOwnHash(t *testing.T) {
	k, err := apikeys.New()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k.Token, "bfk_"+k.ID+"_"))
	assert.NotContains(t, k.SecretHash, strings.TrimPrefix(k.Token, "bfk_"+k.ID+"_"), "the hash is not the secret")

	id, secret, ok := apikeys.Parse(k.Token)
	require.True(t, ok)
	assert.Equal(t, k.ID, id)
	assert.True(t, apikeys.Matches(secret, k.SecretHash))

	other, err := apikeys.New()
	require.NoError(t, err)
	assert.False(t, apikeys.Matches(secret, other.SecretHash))
	assert.NotEqual(t, k.ID, other.ID)
}

func TestGarbageIsNotAKey(t *testing.T) {
	k, err := apikeys.New()
	require.NoError(t, err)
	for _, bad := range []string{
		"", "bfk_", "Bearer " + k.Token, strings.ToUpper(k.Token), k.Token + "0",
		strings.TrimPrefix(k.Token, "bfk_"), "bfk_" + k.ID, "bfk_zz" + k.Token[6:],
	} {
		_, _, ok := apikeys.Parse(bad)
		assert.False(t, ok, "%q", bad)
	}
}
