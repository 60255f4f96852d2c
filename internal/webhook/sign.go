package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
)

// Headers of a webhook request.
const (
	// HeaderTimestamp is when the delivery was sent, in Unix seconds.
	HeaderTimestamp = "X-Beian-Timestamp"
	// HeaderDelivery identifies the delivery; a redelivery of the same
	// event keeps it.
	HeaderDelivery = "X-Beian-Delivery"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256 of
	// "<timestamp>.<delivery id>.<body>"; see Sign.
	HeaderSignature = "X-Beian-Signature"
)

const signaturePrefix = "sha256="

// deliveryIDPattern is what a delivery ID may look like. Without a "." in
// it the signed string "<timestamp>.<delivery id>.<body>" splits one way
// only: otherwise a captured delivery could be replayed under a new ID by
// moving the start of its body into the ID.
var deliveryIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// Sign returns the HeaderSignature value of a delivery sent at timestamp
// (Unix seconds) with the given ID and body, keyed with the shared secret.
func Sign(secret []byte, timestamp int64, deliveryID string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, strconv.FormatInt(timestamp, 10), deliveryID, body))
}

// mac takes the timestamp as the header's text, so the verifier checks
// exactly what was sent.
func mac(secret []byte, timestamp, deliveryID string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp + "." + deliveryID + "."))
	m.Write(body)
	return m.Sum(nil)
}
