package codec

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Keyring holds the payload keys by ID; the last one is current.
type Keyring struct {
	order []string
	aeads map[string]cipher.AEAD
}

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseKeys reads "id:base64key" entries separated by commas or newlines;
// blank lines and lines starting with # are ignored. The last entry is the
// current key; rotate by appending a new one and keeping the old ones
// until no history that needs them is kept.
func ParseKeys(spec string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	var entries []string
	sc := bufio.NewScanner(strings.NewReader(spec))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue // comments may contain commas
		}
		for e := range strings.SplitSeq(line, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	for _, line := range entries {
		id, b64, ok := strings.Cut(line, ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, errors.New("codec: each key must be id:base64 with an id of letters, digits, . _ or -")
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("codec: key %q given twice", id)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			// The decoder's message could quote key material: leave it out.
			return nil, fmt.Errorf("codec: key %q is not standard base64", id)
		}
		aead, err := newAEAD(raw)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", id, err)
		}
		k.order = append(k.order, id)
		k.aeads[id] = aead
	}
	if len(k.order) == 0 {
		return nil, errors.New("codec: no key configured")
	}
	return k, nil
}

// LoadKeyFile reads ParseKeys' format from a file.
func LoadKeyFile(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("codec: read key file: %w", err)
	}
	return ParseKeys(string(b))
}

// NewKeyLine mints a random key as one "id:base64" line.
func NewKeyLine(id string) (string, error) {
	if !keyIDPattern.MatchString(id) {
		return "", fmt.Errorf("codec: bad key id %q", id)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("codec: random: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(b), nil
}

// CurrentID is the ID of the key new payloads are encrypted with.
func (k *Keyring) CurrentID() string { return k.order[len(k.order)-1] }

// IDs lists the configured key IDs, oldest first.
func (k *Keyring) IDs() []string { return append([]string(nil), k.order...) }

// Current is the current key's ID and AES-256-GCM cipher.
func (k *Keyring) Current() (string, cipher.AEAD) {
	id := k.CurrentID()
	return id, k.aeads[id]
}

// Lookup is the cipher of key id, if configured.
func (k *Keyring) Lookup(id string) (cipher.AEAD, bool) {
	a, ok := k.aeads[id]
	return a, ok
}
