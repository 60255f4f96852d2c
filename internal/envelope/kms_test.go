package envelope_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/kmssandbox"
)

// kmsSandbox serves a KMS sandbox in cn-north-1 holding the keys "filings"
// and "other" until the test ends, and returns it with the real KMS client
// pointed at it, as a deployment configures one.
func kmsSandbox(t *testing.T) (*kmssandbox.Server, *kms.Client) {
	t.Helper()
	sb := kmssandbox.New("cn-north-1", "filings", "other")
	srv := sb.Start()
	t.Cleanup(srv.Close)
	return sb, kms.New(kms.Options{
		Region:       "cn-north-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
}

func newDEK(t *testing.T) []byte {
	t.Helper()
	dek := make([]byte, 32)
	_, err := rand.Read(dek)
	require.NoError(t, err)
	return dek
}

// assertKeyNotIn checks that an error says nothing of a data key, in any
// encoding it could take.
func assertKeyNotIn(t *testing.T, err error, dek []byte) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	for _, enc := range []string{string(dek), hex.EncodeToString(dek), base64.StdEncoding.EncodeToString(dek), base64.RawURLEncoding.EncodeToString(dek)} {
		assert.NotContains(t, msg, enc)
	}
}

func TestADataKeyWrappedByKMSOpensOnlyForItsFiling(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	arn := sb.ARN("filings")
	kek := envelope.NewAWSKMS(client, arn)
	assert.Equal(t, "aws-kms:"+arn, kek.Current())
	dek := newDEK(t)

	id, wrapped, err := kek.Wrap(ctx, string(filingA), dek)
	require.NoError(t, err)
	assert.Equal(t, kek.Current(), id)
	assert.False(t, bytes.Contains(wrapped, dek))
	got, err := kek.Unwrap(ctx, string(filingA), id, wrapped)
	require.NoError(t, err)
	assert.Equal(t, dek, got)

	_, err = kek.Unwrap(ctx, string(filingB), id, wrapped)
	var invalid *types.InvalidCiphertextException
	assert.ErrorAs(t, err, &invalid, "another filing's encryption context")
	assert.Contains(t, err.Error(), string(filingB))
	assertKeyNotIn(t, err, dek)

	// The kekID names the KMS key: a data key wrapped under another is
	// refused by KMS, not decrypted with whatever key the blob names.
	_, err = kek.Unwrap(ctx, string(filingA), "aws-kms:"+sb.ARN("other"), wrapped)
	var incorrect *types.IncorrectKeyException
	assert.ErrorAs(t, err, &incorrect)
	assertKeyNotIn(t, err, dek)

	_, err = kek.Unwrap(ctx, string(filingA), "local:k1", wrapped)
	assert.Error(t, err, "not a KMS key")
	_, _, err = kek.Wrap(ctx, string(filingA), dek[:16])
	assert.Error(t, err, "a data key has 32 bytes")
}

func TestAKMSKeyConfiguredByAliasWrapsAndUnwraps(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	require.NoError(t, sb.Alias("alias/beianflow", "filings"))
	kek := envelope.NewAWSKMS(client, "alias/beianflow")
	dek := newDEK(t)
	id, wrapped, err := kek.Wrap(ctx, string(filingA), dek)
	require.NoError(t, err)
	assert.Equal(t, "aws-kms:alias/beianflow", id)
	got, err := envelope.NewAWSKMS(client, sb.ARN("filings")).Unwrap(ctx, string(filingA), id, wrapped)
	require.NoError(t, err)
	assert.Equal(t, dek, got)
}

func TestKMSUnwrappingSomethingElseThanADataKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	// Sixteen bytes sealed under the filing's very context: KMS decrypts
	// them, AWSKMS takes no such data key.
	short, err := client.Encrypt(ctx, &kms.EncryptInput{
		KeyId: aws.String("filings"), Plaintext: make([]byte, 16),
		EncryptionContext: map[string]string{"beianflow": "data key v1", "filing_id": string(filingA)},
	})
	require.NoError(t, err)
	_, err = envelope.NewAWSKMS(client, "filings").Unwrap(ctx, string(filingA), "aws-kms:"+sb.ARN("filings"), short.CiphertextBlob)
	assert.ErrorContains(t, err, "not a data key")
}

func TestReadingAFilingOverKMSDecryptsItsKeyOnceNotPerRecord(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	kek := envelope.NewAWSKMS(client, sb.ARN("filings"))
	repo := newMemRepo()
	writer := envelope.NewKeys(repo, kek)
	sealed := map[filing.ID][]byte{}
	for _, id := range []filing.ID{filingA, filingB} {
		for range 3 {
			s, err := writer.Seal(ctx, id, "r", application)
			require.NoError(t, err)
			sealed[id] = s
		}
	}
	assert.Equal(t, 2, sb.Calls("Encrypt"), "one data key per filing")
	assert.Equal(t, 0, sb.Calls("Decrypt"), "the writer keeps the keys it made")

	reader := envelope.NewKeys(repo, kek) // another process
	for range 20 {
		for id, s := range sealed {
			got, err := reader.Open(ctx, id, "r", s)
			require.NoError(t, err)
			assert.Equal(t, application, got)
		}
	}
	assert.Equal(t, 2, sb.Calls("Decrypt"), "one Decrypt per filing, however many records are read")
}

func TestMovingFromALocalKeyToKMSRewrapsEveryDataKeyAndRetiresTheLocalKey(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	repo := newMemRepo()
	local := envelope.NewLocalKEK(ring(t, "k1"))
	sealedA, err := envelope.NewKeys(repo, local).Seal(ctx, filingA, "r", application)
	require.NoError(t, err)
	sealedB, err := envelope.NewKeys(repo, local).Seal(ctx, filingB, "r", application)
	require.NoError(t, err)

	// KMS becomes current, the local key stays to unwrap.
	awsKMS := envelope.NewAWSKMS(client, sb.ARN("filings"))
	chain := envelope.NewChain(awsKMS, local)
	assert.Equal(t, awsKMS.Current(), chain.Current())
	got, err := envelope.NewKeys(repo, chain).Open(ctx, filingA, "r", sealedA)
	require.NoError(t, err, "a data key wrapped locally still reads")
	assert.Equal(t, application, got)
	assert.Equal(t, 0, sb.Calls("Decrypt"), "unwrapped by the local key, not sent to KMS")

	const filingC filing.ID = "0190c5d2-cccc-7000-8000-000000000003"
	sealedC, err := envelope.NewKeys(repo, chain).Seal(ctx, filingC, "r", application)
	require.NoError(t, err)
	s, err := repo.Get(ctx, string(filingC))
	require.NoError(t, err)
	assert.Equal(t, "aws-kms:"+sb.ARN("filings"), s.KEKID, "a new filing's key is wrapped by KMS")

	n, err := envelope.NewKeys(repo, chain).Rewrap(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the two wrapped locally")
	again, err := envelope.NewKeys(repo, chain).Rewrap(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, again, "nothing left under the local key")
	for _, id := range []filing.ID{filingA, filingB, filingC} {
		s, err := repo.Get(ctx, string(id))
		require.NoError(t, err)
		assert.Equal(t, "aws-kms:"+sb.ARN("filings"), s.KEKID, id)
	}

	// The local key dropped: KMS alone reads everything sealed before.
	kmsOnly := envelope.NewKeys(repo, awsKMS)
	for id, sealed := range map[filing.ID][]byte{filingA: sealedA, filingB: sealedB, filingC: sealedC} {
		got, err := kmsOnly.Open(ctx, id, "r", sealed)
		require.NoError(t, err, id)
		assert.Equal(t, application, got)
	}
}

func TestAChainRefusesAKeyNoneOfItsWrappersOwns(t *testing.T) {
	ctx := context.Background()
	_, client := kmsSandbox(t)
	local := envelope.NewLocalKEK(ring(t, "k1"))
	chain := envelope.NewChain(envelope.NewAWSKMS(client, "filings"), local)
	for _, kekID := range []string{"local:k0", "vault:transit/beianflow", ""} {
		assert.False(t, chain.Owns(kekID), kekID)
		_, err := chain.Unwrap(ctx, string(filingA), kekID, []byte("wrapped"))
		assert.ErrorContains(t, err, "not configured", kekID)
	}
	assert.True(t, chain.Owns("local:k1"))
	assert.True(t, chain.Owns("aws-kms:alias/anything"))
	assert.False(t, local.Owns("aws-kms:alias/anything"))
}

func TestAChainOfLocalKeysSendsEachDataKeyToTheRingThatHasItsKey(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo()
	old := envelope.NewLocalKEK(ring(t, "k1"))
	sealed, err := envelope.NewKeys(repo, old).Seal(ctx, filingA, "r", application)
	require.NoError(t, err)

	chain := envelope.NewChain(envelope.NewLocalKEK(ring(t, "k2")), old)
	got, err := envelope.NewKeys(repo, chain).Open(ctx, filingA, "r", sealed)
	require.NoError(t, err)
	assert.Equal(t, application, got)
	n, err := envelope.NewKeys(repo, chain).Rewrap(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	s, _ := repo.Get(ctx, string(filingA))
	assert.Equal(t, "local:k2", s.KEKID)
}

func TestADisabledKMSKeyFailsReadsAndWritesWithAnError(t *testing.T) {
	ctx := context.Background()
	sb, client := kmsSandbox(t)
	kek := envelope.NewAWSKMS(client, sb.ARN("filings"))
	repo := newMemRepo()
	sealed, err := envelope.NewKeys(repo, kek).Seal(ctx, filingA, "r", application)
	require.NoError(t, err)

	require.NoError(t, sb.Disable("filings"))
	var disabled *types.DisabledException
	keys := envelope.NewKeys(repo, kek) // nothing cached
	_, err = keys.Open(ctx, filingA, "r", sealed)
	require.ErrorAs(t, err, &disabled, "reading")
	assert.Contains(t, err.Error(), string(filingA))
	_, err = keys.Seal(ctx, filingB, "r", application)
	require.ErrorAs(t, err, &disabled, "a new filing's first record")
	_, err = keys.Rewrap(ctx)
	assert.NoError(t, err, "nothing to re-wrap: the key is current")

	require.NoError(t, sb.Enable("filings"))
	got, err := keys.Open(ctx, filingA, "r", sealed)
	require.NoError(t, err, "reads again once enabled")
	assert.Equal(t, application, got)
}
