package documents

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultDownloadExpiry is how long a download URL stays valid unless
// configured otherwise: a reviewer opens a scan within minutes; a URL
// copied elsewhere is soon useless.
const DefaultDownloadExpiry = 5 * time.Minute

// Why a download token is refused, for errors.Is.
var (
	ErrDownloadInvalid = errors.New("documents: the download URL was not signed by this system")
	ErrDownloadExpired = errors.New("documents: the download URL has expired")
)

// DownloadSigner signs the URLs at which the API streams a document's
// plaintext (GET /v1/documents/{token}). S3 holds only ciphertext, so a
// presigned S3 URL would show nothing useful; the token plays its part
// instead: a bearer credential for one object key, valid for minutes,
// handed out only to a caller allowed to read the filing, and only after
// the read was recorded.
type DownloadSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewDownloadSigner signs with key (at least 32 bytes, the same in every
// API process) URLs valid for ttl (1s–168h).
func NewDownloadSigner(key []byte, ttl time.Duration, now func() time.Time) (*DownloadSigner, error) {
	if len(key) < 32 {
		return nil, errors.New("documents: a download signing key needs at least 32 bytes")
	}
	if ttl < time.Second || ttl > maxPresignExpiry {
		return nil, fmt.Errorf("documents: download expiry %s is outside 1s–168h", ttl)
	}
	if now == nil {
		now = time.Now
	}
	return &DownloadSigner{key: key, ttl: ttl, now: now}, nil
}

// Sign returns a token for the document at objectKey and when it expires.
// The token holds the key (IDs only, never anything the applicant typed)
// and the expiry, in the clear, and their HMAC-SHA256.
func (d *DownloadSigner) Sign(objectKey string) (string, time.Time) {
	expires := d.now().Add(d.ttl).Truncate(time.Second)
	body := objectKey + "\n" + strconv.FormatInt(expires.Unix(), 10)
	return b64(body) + "." + b64(string(d.mac(body))), expires
}

// Verify returns the object key a token of Sign names: ErrDownloadInvalid
// for one not signed with this key, ErrDownloadExpired after its expiry.
func (d *DownloadSigner) Verify(token string) (string, error) {
	encBody, encMAC, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrDownloadInvalid
	}
	body, err1 := base64.RawURLEncoding.DecodeString(encBody)
	mac, err2 := base64.RawURLEncoding.DecodeString(encMAC)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, d.mac(string(body))) {
		return "", ErrDownloadInvalid
	}
	i := bytes.LastIndexByte(body, '\n')
	if i < 0 {
		return "", ErrDownloadInvalid
	}
	unix, err := strconv.ParseInt(string(body[i+1:]), 10, 64)
	if err != nil {
		return "", ErrDownloadInvalid
	}
	if !d.now().Before(time.Unix(unix, 0)) {
		return "", ErrDownloadExpired
	}
	return string(body[:i]), nil
}

// mac is the token's HMAC, under a label of its own so the key signs
// nothing else by accident.
func (d *DownloadSigner) mac(body string) []byte {
	h := hmac.New(sha256.New, d.key)
	h.Write([]byte("beianflow document download v1\n"))
	h.Write([]byte(body))
	return h.Sum(nil)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
