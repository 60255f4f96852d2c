package kmssandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/kmssandbox"
)

const region = "cn-north-1"

// sandbox serves a sandbox holding keys k1 and k2 until the test ends, and
// returns it, its URL and the real KMS client pointed at it.
func sandbox(t *testing.T) (*kmssandbox.Server, string, *kms.Client) {
	t.Helper()
	sb := kmssandbox.New(region, "k1", "k2")
	srv := sb.Start()
	t.Cleanup(srv.Close)
	return sb, srv.URL, client(srv.URL, region)
}

func client(url, region string) *kms.Client {
	return kms.New(kms.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSANDBOX", "sandbox-secret", ""),
		BaseEndpoint: aws.String(url),
	})
}

var ctxA = map[string]string{"filing_id": "a"}

func encrypt(t *testing.T, c *kms.Client, keyID string, plain []byte, context map[string]string) []byte {
	t.Helper()
	out, err := c.Encrypt(t.Context(), &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: plain, EncryptionContext: context})
	require.NoError(t, err)
	return out.CiphertextBlob
}

func TestTheRealClientEncryptsAndDecryptsThroughTheSandbox(t *testing.T) {
	sb, _, c := sandbox(t)
	ctx := t.Context()
	require.NoError(t, sb.Alias("alias/beianflow", "k1"))
	secret := []byte("thirty-two bytes of a data key!!")

	for _, id := range []string{"k1", sb.ARN("k1"), "alias/beianflow", "arn:aws-cn:kms:cn-north-1:111122223333:alias/beianflow"} {
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: secret, EncryptionContext: ctxA})
		require.NoError(t, err, id)
		assert.Equal(t, "arn:aws-cn:kms:cn-north-1:111122223333:key/k1", aws.ToString(out.KeyId), "KMS answers with the key ARN")
		assert.Equal(t, types.EncryptionAlgorithmSpecSymmetricDefault, out.EncryptionAlgorithm)
		assert.NotContains(t, string(out.CiphertextBlob), string(secret))

		// The blob names its key: KeyId may be left out, as KMS allows for
		// symmetric keys.
		got, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ctxA})
		require.NoError(t, err, id)
		assert.Equal(t, secret, got.Plaintext)
		assert.Equal(t, sb.ARN("k1"), aws.ToString(got.KeyId))
		got, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ctxA, KeyId: aws.String(id)})
		require.NoError(t, err, id)
		assert.Equal(t, secret, got.Plaintext)
	}
}

func TestAGeneratedDataKeyComesInClearAndWrapped(t *testing.T) {
	_, _, c := sandbox(t)
	ctx := t.Context()
	out, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("k2"), KeySpec: types.DataKeySpecAes256, EncryptionContext: ctxA})
	require.NoError(t, err)
	assert.Len(t, out.Plaintext, 32)
	got, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ctxA})
	require.NoError(t, err)
	assert.Equal(t, out.Plaintext, got.Plaintext)

	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("k2")})
	var invalid *smithy.GenericAPIError
	require.ErrorAs(t, err, &invalid, "neither a key spec nor a number of bytes")
	assert.Equal(t, "ValidationException", invalid.ErrorCode())
}

func TestACreatedKeyIsDescribedAndUsable(t *testing.T) {
	_, _, c := sandbox(t)
	ctx := t.Context()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("filings")})
	require.NoError(t, err)
	id := aws.ToString(created.KeyMetadata.KeyId)
	require.NotEmpty(t, id)

	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: created.KeyMetadata.Arn})
	require.NoError(t, err)
	m := d.KeyMetadata
	assert.Equal(t, id, aws.ToString(m.KeyId))
	assert.Equal(t, "arn:aws-cn:kms:cn-north-1:111122223333:key/"+id, aws.ToString(m.Arn))
	assert.Equal(t, kmssandbox.Account, aws.ToString(m.AWSAccountId))
	assert.Equal(t, "filings", aws.ToString(m.Description))
	assert.True(t, m.Enabled)
	assert.Equal(t, types.KeyStateEnabled, m.KeyState)
	assert.Equal(t, types.KeyUsageTypeEncryptDecrypt, m.KeyUsage)
	assert.Equal(t, types.KeySpecSymmetricDefault, m.KeySpec)
	assert.WithinDuration(t, aws.ToTime(created.KeyMetadata.CreationDate), aws.ToTime(m.CreationDate), 0)
	assert.False(t, aws.ToTime(m.CreationDate).IsZero())

	blob := encrypt(t, c, id, []byte("x"), nil)
	got, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), got.Plaintext)

	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	var unsupported *types.UnsupportedOperationException
	assert.ErrorAs(t, err, &unsupported, "symmetric keys only")
}

func TestACiphertextOpensOnlyUnderItsEncryptionContext(t *testing.T) {
	_, _, c := sandbox(t)
	ctx := t.Context()
	blob := encrypt(t, c, "k1", []byte("data key"), map[string]string{"beianflow": "data key v1", "filing_id": "a"})

	for name, context := range map[string]map[string]string{
		"another filing":  {"beianflow": "data key v1", "filing_id": "b"},
		"a pair missing":  {"filing_id": "a"},
		"a pair added":    {"beianflow": "data key v1", "filing_id": "a", "x": "y"},
		"no context":      nil,
		"keys and values": {"beianflow": "filing_id", "data key v1": "a"},
	} {
		_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: context})
		var invalid *types.InvalidCiphertextException
		assert.ErrorAs(t, err, &invalid, name)
	}

	altered := append([]byte(nil), blob...)
	altered[len(altered)-1] ^= 1
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: altered, EncryptionContext: ctxA})
	var invalid *types.InvalidCiphertextException
	require.ErrorAs(t, err, &invalid, "altered")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext of KMS")})
	require.ErrorAs(t, err, &invalid, "not a blob at all")
}

func TestAnotherSandboxsKeyOfTheSameIDDoesNotOpenACiphertext(t *testing.T) {
	_, _, c := sandbox(t)
	_, _, other := sandbox(t)
	blob := encrypt(t, c, "k1", []byte("data key"), ctxA)
	_, err := other.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	var invalid *types.InvalidCiphertextException
	assert.ErrorAs(t, err, &invalid, "k1 is new key material in every sandbox")
}

func TestDecryptNamingAnotherKeyIsRefused(t *testing.T) {
	sb, _, c := sandbox(t)
	blob := encrypt(t, c, "k1", []byte("data key"), ctxA)
	for _, id := range []string{"k2", sb.ARN("k2")} {
		_, err := c.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA, KeyId: aws.String(id)})
		var incorrect *types.IncorrectKeyException
		assert.ErrorAs(t, err, &incorrect, id)
	}
}

func TestAnUnknownKeyIsNotFound(t *testing.T) {
	sb, _, c := sandbox(t)
	ctx := t.Context()
	for _, id := range []string{
		"k9",
		"alias/nothing",
		"arn:aws-cn:kms:cn-north-1:111122223333:key/k9",
		"arn:aws-cn:kms:cn-northwest-1:111122223333:key/k1", // another region
		"arn:aws-cn:kms:cn-north-1:444455556666:key/k1",     // another account
		"arn:aws:kms:cn-north-1:111122223333:key/k1",        // another partition
		"key/k1",
	} {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		var notFound *types.NotFoundException
		assert.ErrorAs(t, err, &notFound, id)
	}
	blob := encrypt(t, c, "k1", []byte("x"), nil)
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: aws.String("k9")})
	var notFound *types.NotFoundException
	assert.ErrorAs(t, err, &notFound, "Decrypt naming an unknown key")
	assert.Error(t, sb.Disable("k9"))
	assert.Error(t, sb.Alias("alias/x", "k9"))
	assert.Error(t, sb.Alias("k1", "k1"), "not an alias name")
}

func TestADisabledKeyRefusesUntilEnabledAgain(t *testing.T) {
	sb, _, c := sandbox(t)
	ctx := t.Context()
	blob := encrypt(t, c, "k1", []byte("data key"), ctxA)

	require.NoError(t, sb.Disable("k1"))
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("k1"), Plaintext: []byte("x")})
	var disabled *types.DisabledException
	assert.ErrorAs(t, err, &disabled, "Encrypt")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	assert.ErrorAs(t, err, &disabled, "Decrypt")
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("k1")})
	require.NoError(t, err, "a disabled key is still described")
	assert.Equal(t, types.KeyStateDisabled, d.KeyMetadata.KeyState)
	assert.False(t, d.KeyMetadata.Enabled)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("k2"), Plaintext: []byte("x")})
	assert.NoError(t, err, "the other key is not")

	require.NoError(t, sb.Enable("k1"))
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	assert.NoError(t, err)

	// The same through the protocol, as an operator would.
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("k1")})
	require.NoError(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	assert.ErrorAs(t, err, &disabled, "disabled by DisableKey")
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("k1")})
	require.NoError(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	assert.NoError(t, err)
}

func TestTheSandboxCountsRequestsPerOperation(t *testing.T) {
	sb, _, c := sandbox(t)
	blob := encrypt(t, c, "k1", []byte("x"), nil)
	for range 3 {
		_, err := c.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: blob})
		require.NoError(t, err)
	}
	_, err := c.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctxA})
	require.Error(t, err)
	assert.Equal(t, 1, sb.Calls("Encrypt"))
	assert.Equal(t, 4, sb.Calls("Decrypt"), "failed ones count too")
	assert.Equal(t, 0, sb.Calls("GenerateDataKey"))
}

// post sends a request as it comes on the wire, and returns the status and
// the decoded error body.
func post(t *testing.T, url string, header map[string]string, body string) (int, http.Header, map[string]string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out map[string]string
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, res.Header, out
}

const signed = "AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260101/cn-north-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"

func TestErrorsComeInKMSShape(t *testing.T) {
	_, url, c := sandbox(t)
	blob := encrypt(t, c, "k1", []byte("x"), ctxA)
	raw, err := json.Marshal(map[string]any{"CiphertextBlob": blob, "EncryptionContext": map[string]string{"filing_id": "b"}})
	require.NoError(t, err)

	status, header, body := post(t, url, map[string]string{
		"Authorization": signed, "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Decrypt",
	}, string(raw))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "application/x-amz-json-1.1", header.Get("Content-Type"))
	assert.NotEmpty(t, header.Get("X-Amzn-RequestId"))
	assert.Equal(t, "InvalidCiphertextException", body["__type"])
	assert.NotEmpty(t, body["message"])
}

func TestARequestWithoutASigV4SignatureIsRefused(t *testing.T) {
	_, url, _ := sandbox(t)
	headers := func(auth string) map[string]string {
		return map[string]string{"Authorization": auth, "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"}
	}
	body := `{"KeyId":"k1","Plaintext":"eA=="}`
	for auth, want := range map[string]string{
		"":                     "MissingAuthenticationTokenException",
		"Bearer abc":           "IncompleteSignatureException",
		"AWS4-HMAC-SHA256 x=y": "IncompleteSignatureException",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/cn-north-1/kms/aws4_request, SignedHeaders=host":             "IncompleteSignatureException",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/cn-north-1/s3/aws4_request, SignedHeaders=host, Signature=0": "InvalidSignatureException",
	} {
		status, _, got := post(t, url, headers(auth), body)
		assert.Equal(t, http.StatusBadRequest, status, auth)
		assert.Equal(t, want, got["__type"], auth)
	}
	status, _, got := post(t, url, headers(signed), body)
	assert.Equal(t, http.StatusOK, status, "signed, any signature")
	assert.Equal(t, "arn:aws-cn:kms:cn-north-1:111122223333:key/k1", got["KeyId"])

	// The real client configured for another region is refused, as KMS
	// refuses a request signed for another region.
	_, err := client(url, "cn-northwest-1").Encrypt(t.Context(), &kms.EncryptInput{KeyId: aws.String("k1"), Plaintext: []byte("x")})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "InvalidSignatureException", api.ErrorCode())
}

func TestTheSandboxSpeaksOnlyKMSsProtocol(t *testing.T) {
	_, url, _ := sandbox(t)
	for name, c := range map[string]struct {
		header map[string]string
		body   string
		want   string
	}{
		"no target":          {map[string]string{"Content-Type": "application/x-amz-json-1.1"}, `{}`, "UnknownOperationException"},
		"an unserved target": {map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Sign"}, `{}`, "UnknownOperationException"},
		"JSON 1.0":           {map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "TrentService.Encrypt"}, `{}`, "SerializationException"},
		"not JSON":           {map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"}, `KeyId=k1`, "SerializationException"},
		"no key":             {map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"}, `{"Plaintext":"eA=="}`, "ValidationException"},
		"too much plaintext": {map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt"}, `{"KeyId":"k1","Plaintext":"` + strings.Repeat("A", 5464) + `"}`, "ValidationException"},
	} {
		c.header["Authorization"] = signed
		status, _, got := post(t, url, c.header, c.body)
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Equal(t, c.want, got["__type"], name)
	}
	res, err := http.Get(url + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

func TestNewRefusesKeyIDsThatAreNone(t *testing.T) {
	for _, ids := range [][]string{{""}, {"a/b"}, {"arn:x"}, {"k1", "k1"}, {strings.Repeat("k", 256)}} {
		assert.Panics(t, func() { kmssandbox.New(region, ids...) }, "%q", ids)
	}
}

func TestARNsAreOfTheRegionsPartition(t *testing.T) {
	assert.Equal(t, "arn:aws:kms:eu-west-1:111122223333:key/k1", kmssandbox.New("eu-west-1").ARN("k1"))
	assert.Equal(t, "arn:aws-cn:kms:cn-northwest-1:111122223333:key/k1", kmssandbox.New("cn-northwest-1").ARN("k1"))
	assert.Equal(t, "cn-northwest-1", kmssandbox.New("cn-northwest-1").Region())
}
