// Package kmssandbox is a sandbox of AWS KMS for tests and development. It
// speaks KMS's wire protocol (AWS JSON 1.1: POST / with an X-Amz-Target of
// TrentService.<Operation>), so the real aws-sdk-go-v2 KMS client, given
// the sandbox's URL as its BaseEndpoint, works against it unchanged, and
// what works against the sandbox works against KMS.
//
// It keeps symmetric encryption keys (AES-256-GCM) in memory and serves
// Encrypt, Decrypt, GenerateDataKey, DescribeKey, CreateKey, EnableKey and
// DisableKey. A ciphertext blob names its key and is bound to the
// encryption context, and the errors are KMS's own, in its shape
// ({"__type":"InvalidCiphertextException","message":"..."}), so the client
// decodes them into the SDK's types (types.InvalidCiphertextException, ...).
// Requests must carry a SigV4 Authorization header scoped to the sandbox's
// region and to kms; the signature itself is not checked.
//
// The keys die with the process: nothing sealed under them survives a
// restart. It is no place for data anyone needs back.
package kmssandbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Account is the AWS account the sandbox's keys belong to (the account
// AWS's documentation uses in its examples).
const Account = "111122223333"

// maxBody bounds a request: KMS takes at most 4 KiB of plaintext and 6 KiB
// of ciphertext, so anything near this is no KMS request.
const maxBody = 1 << 20

// maxPlaintext is KMS's limit on what Encrypt takes.
const maxPlaintext = 4096

// Server is the sandbox, an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	region string

	mu      sync.Mutex
	keys    map[string]*key   // by key ID
	aliases map[string]string // "alias/name" to key ID
	calls   map[string]int    // by operation
}

type key struct {
	id          string
	aead        cipher.AEAD
	enabled     bool
	created     time.Time
	description string
}

// New returns a sandbox of KMS in region (as "cn-north-1") holding an
// enabled key, of new random material, for each of keyIDs; a key is
// addressed by its ID, its ARN (see ARN) or an alias (see Alias), as in
// KMS. It panics on a key ID that is empty, longer than 255 bytes, has a
// "/" or ":", or is given twice: those are mistakes in a test, not input.
func New(region string, keyIDs ...string) *Server {
	s := &Server{region: region, keys: map[string]*key{}, aliases: map[string]string{}, calls: map[string]int{}}
	for _, id := range keyIDs {
		if id == "" || len(id) > 255 || strings.ContainsAny(id, "/:") {
			panic(fmt.Sprintf("kmssandbox: %q is not a key ID", id))
		}
		if _, ok := s.keys[id]; ok {
			panic(fmt.Sprintf("kmssandbox: key %q given twice", id))
		}
		s.keys[id] = newKey(id, "")
	}
	return s
}

func newKey(id, description string) *key {
	material := make([]byte, 32)
	_, _ = rand.Read(material) // crypto/rand.Read does not fail
	block, err := aes.NewCipher(material)
	if err != nil {
		panic(err) // 32 bytes is always a valid AES key
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &key{id: id, aead: aead, enabled: true, created: time.Now().UTC(), description: description}
}

// Start serves the sandbox on a loopback port: its URL is the client's
// BaseEndpoint. The caller closes it (t.Cleanup(srv.Close) in a test).
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// Region is the region the sandbox is in: requests must be signed for it
// and its ARNs name it.
func (s *Server) Region() string { return s.region }

// ARN is the key ARN of keyID in the sandbox's region and account, the
// KeyId KMS answers with.
func (s *Server) ARN(keyID string) string {
	return "arn:" + partition(s.region) + ":kms:" + s.region + ":" + Account + ":key/" + keyID
}

// partition is the ARN partition of a region: China's and GovCloud's
// regions are partitions of their own.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Alias points name ("alias/beianflow") at a key, given by any of its
// identifiers, as CreateAlias or UpdateAlias would.
func (s *Server) Alias(name, keyID string) error {
	if !strings.HasPrefix(name, "alias/") || len(name) == len("alias/") || strings.HasPrefix(name, "alias/aws/") {
		return fmt.Errorf("kmssandbox: %q is not an alias name (alias/<name>, not under alias/aws/)", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(keyID)
	if err != nil {
		return fmt.Errorf("kmssandbox: alias %s: %w", name, err)
	}
	s.aliases[name] = k.id
	return nil
}

// Disable disables a key, as DisableKey does: until Enable, every
// cryptographic operation with it fails with DisabledException.
func (s *Server) Disable(keyID string) error { return s.setEnabled(keyID, false) }

// Enable enables a key again.
func (s *Server) Enable(keyID string) error { return s.setEnabled(keyID, true) }

func (s *Server) setEnabled(keyID string, enabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(keyID)
	if err != nil {
		return fmt.Errorf("kmssandbox: %w", err)
	}
	k.enabled = enabled
	return nil
}

// Calls is how many signed requests for op ("Decrypt") the sandbox has
// been sent, answered with success or with an error alike: a test proves
// with it what a client caches.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// apiError is a KMS error as the protocol carries it: __type names the
// exception, which the SDK turns into its type of the same name.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

// fail is a client error. KMS answers them with 400, NotFoundException and
// DisabledException included, whatever status its model gives them; the
// SDK goes by __type alone.
func fail(typ, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typ, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one KMS request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out, err := s.serve(w, r)
	if err != nil {
		var e *apiError
		if !errors.As(err, &e) {
			e = &apiError{status: http.StatusInternalServerError, typ: "KMSInternalException", msg: err.Error()}
		}
		write(w, e.status, map[string]string{"__type": e.typ, "message": e.msg})
		return
	}
	write(w, http.StatusOK, out)
}

func write(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"__type":"KMSInternalException","message":"the sandbox could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", uuid.NewString())
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) (any, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, &apiError{status: http.StatusMethodNotAllowed, typ: "UnknownOperationException", msg: "KMS takes POST / only"}
	}
	if err := s.authenticate(r.Header.Get("Authorization")); err != nil {
		return nil, err
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if !ok || op == "" {
		return nil, fail("UnknownOperationException", "X-Amz-Target must be TrentService.<Operation>")
	}
	s.mu.Lock()
	s.calls[op]++
	s.mu.Unlock()

	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-amz-json-1.1" {
		return nil, fail("SerializationException", "Content-Type must be application/x-amz-json-1.1")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, fail("SerializationException", "the request body could not be read: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	switch op {
	case "Encrypt":
		return decodeThen(body, s.encrypt)
	case "Decrypt":
		return decodeThen(body, s.decrypt)
	case "GenerateDataKey":
		return decodeThen(body, s.generateDataKey)
	case "DescribeKey":
		return decodeThen(body, s.describeKey)
	case "CreateKey":
		return decodeThen(body, s.createKey)
	case "EnableKey":
		return decodeThen(body, func(in keyRequest) (any, error) { return s.keyState(in, true) })
	case "DisableKey":
		return decodeThen(body, func(in keyRequest) (any, error) { return s.keyState(in, false) })
	}
	return nil, fail("UnknownOperationException", "the sandbox does not serve %s", op)
}

// authenticate wants what the SDK sends: a SigV4 Authorization header
// scoped to the sandbox's region and to kms. Checking the scope finds a
// client configured for another region, which KMS refuses too; the
// signature is not verified, any credentials do.
func (s *Server) authenticate(auth string) error {
	if auth == "" {
		return fail("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	alg, params, _ := strings.Cut(auth, " ")
	if alg != "AWS4-HMAC-SHA256" {
		return fail("IncompleteSignatureException", "Unsupported AWS 'algorithm': %q (AWS4-HMAC-SHA256 only)", alg)
	}
	fields := map[string]string{}
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		fields[name] = value
	}
	for _, name := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[name] == "" {
			return fail("IncompleteSignatureException", "Authorization header requires '%s' parameter", name)
		}
	}
	// Credential=<access key>/<date>/<region>/<service>/aws4_request
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return fail("IncompleteSignatureException", "Credential must be <access key>/<date>/<region>/<service>/aws4_request")
	}
	if scope[2] != s.region {
		return fail("InvalidSignatureException", "Credential should be scoped to a valid region, not '%s' (the sandbox is in %s)", scope[2], s.region)
	}
	if scope[3] != "kms" {
		return fail("InvalidSignatureException", "Credential should be scoped to correct service: 'kms'")
	}
	return nil
}

func decodeThen[In any](body []byte, op func(In) (any, error)) (any, error) {
	var in In
	if err := json.Unmarshal(body, &in); err != nil {
		// The error names a field and a type, never a value.
		return nil, fail("SerializationException", "the request is not a valid JSON body for the operation: %v", err)
	}
	return op(in)
}

// The requests and answers, with the protocol's names: []byte travels as
// base64, times as seconds since the epoch.

type encryptRequest struct {
	KeyID               string `json:"KeyId"`
	Plaintext           []byte
	EncryptionContext   map[string]string
	EncryptionAlgorithm string
	DryRun              bool
}

type encryptResponse struct {
	CiphertextBlob      []byte
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string
}

type decryptRequest struct {
	CiphertextBlob      []byte
	KeyID               string `json:"KeyId"`
	EncryptionContext   map[string]string
	EncryptionAlgorithm string
	DryRun              bool
	Recipient           json.RawMessage
}

type decryptResponse struct {
	Plaintext           []byte
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string
}

type generateDataKeyRequest struct {
	KeyID             string `json:"KeyId"`
	EncryptionContext map[string]string
	KeySpec           string
	NumberOfBytes     *int
	DryRun            bool
	Recipient         json.RawMessage
}

type generateDataKeyResponse struct {
	CiphertextBlob []byte
	Plaintext      []byte
	KeyID          string `json:"KeyId"`
}

type keyRequest struct {
	KeyID string `json:"KeyId"`
}

type createKeyRequest struct {
	Description string
	KeySpec     string
	KeyUsage    string
	Origin      string
	MultiRegion bool
}

type keyMetadataResponse struct {
	KeyMetadata keyMetadata
}

type keyMetadata struct {
	AWSAccountID          string `json:"AWSAccountId"`
	KeyID                 string `json:"KeyId"`
	Arn                   string
	CreationDate          float64
	Enabled               bool
	Description           string
	KeyUsage              string
	KeyState              string
	Origin                string
	KeyManager            string
	KeySpec               string
	CustomerMasterKeySpec string
	EncryptionAlgorithms  []string
	MultiRegion           bool
}

const symmetric = "SYMMETRIC_DEFAULT"

func checkAlgorithm(alg string) error {
	if alg != "" && alg != symmetric {
		return fail("InvalidKeyUsageException", "the sandbox's keys are symmetric: they take the encryption algorithm SYMMETRIC_DEFAULT, not %s", alg)
	}
	return nil
}

func required(name, value string) error {
	if value == "" {
		return fail("ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	}
	return nil
}

func dryRun() error {
	return &apiError{status: http.StatusPreconditionFailed, typ: "DryRunOperationException", msg: "The request would have succeeded, but the DryRun option is set."}
}

func (s *Server) encrypt(in encryptRequest) (any, error) {
	if err := required("keyId", in.KeyID); err != nil {
		return nil, err
	}
	if len(in.Plaintext) == 0 || len(in.Plaintext) > maxPlaintext {
		return nil, fail("ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and %d", maxPlaintext)
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	k, err := s.usable(in.KeyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, dryRun()
	}
	return encryptResponse{CiphertextBlob: k.seal(in.Plaintext, in.EncryptionContext), KeyID: s.ARN(k.id), EncryptionAlgorithm: symmetric}, nil
}

func (s *Server) decrypt(in decryptRequest) (any, error) {
	if len(in.Recipient) > 0 && string(in.Recipient) != "null" {
		return nil, fail("UnsupportedOperationException", "the sandbox has no attested environments: Recipient is not supported")
	}
	if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	keyID, nonce, sealed, header, err := parseBlob(in.CiphertextBlob)
	if err != nil {
		return nil, err
	}
	// A KeyId given is the only key Decrypt may use: a ciphertext of
	// another key is refused, even one the caller could decrypt.
	if in.KeyID != "" {
		s.mu.Lock()
		named, err := s.resolve(in.KeyID)
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if named.id != keyID {
			return nil, fail("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	k, err := s.usable(keyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, dryRun()
	}
	plain, err := k.aead.Open(nil, nonce, sealed, aad(header, in.EncryptionContext))
	if err != nil {
		// As KMS, no telling whether the context or the blob is wrong:
		// either would let a caller probe the other.
		return nil, fail("InvalidCiphertextException", "The ciphertext does not decrypt under its key with this encryption context.")
	}
	return decryptResponse{Plaintext: plain, KeyID: s.ARN(k.id), EncryptionAlgorithm: symmetric}, nil
}

func (s *Server) generateDataKey(in generateDataKeyRequest) (any, error) {
	if len(in.Recipient) > 0 && string(in.Recipient) != "null" {
		return nil, fail("UnsupportedOperationException", "the sandbox has no attested environments: Recipient is not supported")
	}
	if err := required("keyId", in.KeyID); err != nil {
		return nil, err
	}
	var n int
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return nil, fail("ValidationException", "Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		if n = *in.NumberOfBytes; n < 1 || n > 1024 {
			return nil, fail("ValidationException", "1 validation error detected: Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", n)
		}
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	case in.KeySpec != "":
		return nil, fail("ValidationException", "1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]", in.KeySpec)
	default:
		return nil, fail("ValidationException", "Please specify either number of bytes or key spec.")
	}
	k, err := s.usable(in.KeyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, dryRun()
	}
	plain := make([]byte, n)
	_, _ = rand.Read(plain)
	return generateDataKeyResponse{CiphertextBlob: k.seal(plain, in.EncryptionContext), Plaintext: plain, KeyID: s.ARN(k.id)}, nil
}

func (s *Server) describeKey(in keyRequest) (any, error) {
	if err := required("keyId", in.KeyID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(in.KeyID)
	if err != nil {
		return nil, err
	}
	return keyMetadataResponse{KeyMetadata: s.metadata(k)}, nil
}

func (s *Server) createKey(in createKeyRequest) (any, error) {
	if (in.KeySpec != "" && in.KeySpec != symmetric) || (in.KeyUsage != "" && in.KeyUsage != "ENCRYPT_DECRYPT") ||
		(in.Origin != "" && in.Origin != "AWS_KMS") || in.MultiRegion {
		return nil, fail("UnsupportedOperationException", "the sandbox makes single-region symmetric encryption keys only (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS)")
	}
	k := newKey(uuid.NewString(), in.Description)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k.id] = k
	return keyMetadataResponse{KeyMetadata: s.metadata(k)}, nil
}

func (s *Server) keyState(in keyRequest, enabled bool) (any, error) {
	if err := required("keyId", in.KeyID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(in.KeyID)
	if err != nil {
		return nil, err
	}
	k.enabled = enabled
	return struct{}{}, nil
}

func (s *Server) metadata(k *key) keyMetadata {
	state := "Enabled"
	if !k.enabled {
		state = "Disabled"
	}
	return keyMetadata{
		AWSAccountID: Account, KeyID: k.id, Arn: s.ARN(k.id),
		CreationDate: float64(k.created.UnixMilli()) / 1000, Enabled: k.enabled, Description: k.description,
		KeyUsage: "ENCRYPT_DECRYPT", KeyState: state, Origin: "AWS_KMS", KeyManager: "CUSTOMER",
		KeySpec: symmetric, CustomerMasterKeySpec: symmetric, EncryptionAlgorithms: []string{symmetric},
	}
}

// usable is the key named by id if it may encrypt and decrypt now.
func (s *Server) usable(id string) (*key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolve(id)
	if err != nil {
		return nil, err
	}
	if !k.enabled {
		return nil, fail("DisabledException", "%s is disabled.", s.ARN(k.id))
	}
	return k, nil
}

// resolve finds a key by ID, key ARN, alias name or alias ARN, as KMS
// does; an ARN of another partition, region or account names no key here.
// The caller holds s.mu.
func (s *Server) resolve(id string) (*key, error) {
	byAlias := func(name string) (*key, error) {
		if target, ok := s.aliases[name]; ok {
			return s.keys[target], nil
		}
		return nil, fail("NotFoundException", "Alias %s is not found.", s.aliasARN(name))
	}
	name := id
	if rest, ok := strings.CutPrefix(id, s.aliasARN("")); ok {
		if strings.HasPrefix(rest, "alias/") {
			return byAlias(rest)
		}
		if name, ok = strings.CutPrefix(rest, "key/"); !ok {
			return nil, fail("NotFoundException", "Invalid keyId '%s'", id)
		}
	} else if strings.HasPrefix(id, "arn:") {
		return nil, fail("NotFoundException", "Key '%s' does not exist", id)
	} else if strings.HasPrefix(id, "alias/") {
		return byAlias(id)
	}
	k, ok := s.keys[name]
	if !ok {
		return nil, fail("NotFoundException", "Key '%s' does not exist", s.ARN(name))
	}
	return k, nil
}

// aliasARN is the ARN of an alias name; of "", the prefix of every ARN
// in the sandbox.
func (s *Server) aliasARN(name string) string {
	return "arn:" + partition(s.region) + ":kms:" + s.region + ":" + Account + ":" + name
}

// The ciphertext blob, opaque to clients as KMS's is:
//
//	"KSB1" | len(key ID) (1 byte) | key ID | nonce (12 bytes) | AES-GCM ciphertext
//
// The header (everything before the ciphertext) and the encryption
// context are the AAD: a blob names its key and opens under the context it
// was sealed with only.
const blobMagic = "KSB1"

func (k *key) seal(plaintext []byte, context map[string]string) []byte {
	header := make([]byte, 0, len(blobMagic)+1+len(k.id)+k.aead.NonceSize())
	header = append(header, blobMagic...)
	header = append(header, byte(len(k.id)))
	header = append(header, k.id...)
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	header = append(header, nonce...)
	return k.aead.Seal(header, nonce, plaintext, aad(header, context))
}

func parseBlob(blob []byte) (keyID string, nonce, sealed, header []byte, err error) {
	const nonceSize, tagSize = 12, 16
	invalid := fail("InvalidCiphertextException", "the ciphertext blob was not made by this sandbox")
	if len(blob) < len(blobMagic)+1 || string(blob[:len(blobMagic)]) != blobMagic {
		return "", nil, nil, nil, invalid
	}
	n := int(blob[len(blobMagic)])
	end := len(blobMagic) + 1 + n
	if n == 0 || len(blob) < end+nonceSize+tagSize {
		return "", nil, nil, nil, invalid
	}
	return string(blob[len(blobMagic)+1 : end]), blob[end : end+nonceSize], blob[end+nonceSize:], blob[:end+nonceSize], nil
}

// aad is the header followed by the encryption context, its pairs in
// order of key, each string length-prefixed so no two contexts encode
// alike.
func aad(header []byte, context map[string]string) []byte {
	out := append([]byte(nil), header...)
	for _, k := range slices.Sorted(maps.Keys(context)) {
		out = binary.BigEndian.AppendUint32(out, uint32(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(context[k])))
		out = append(out, context[k]...)
	}
	return out
}
