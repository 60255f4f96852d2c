package envelope

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Documents are sealed as a stream: a header, then the plaintext in chunks
// of ChunkSize bytes, each sealed with AES-256-GCM under a nonce of the
// stream's random prefix, the chunk's number and a flag marking the last
// chunk (the STREAM construction of Hoang, Reyhanitabar, Rogaway and
// Vizár, as age and Tink use it). A chunk cannot be altered, dropped,
// repeated or moved, and a stream cut short at a chunk boundary lacks its
// last chunk and fails too.

// ChunkSize is the plaintext size of every chunk but the last.
const ChunkSize = 64 << 10

const (
	streamMagic  = "BFS1"
	prefixSize   = 7
	headerSize   = len(streamMagic) + prefixSize
	tagSize      = 16
	sealedChunk  = ChunkSize + tagSize
	lastChunkBit = 1
)

var errStream = errors.New("envelope: not a document sealed by this system, or altered or cut short")

// EncryptedSize is the size of the sealed stream of n plaintext bytes, for
// a Content-Length given before the bytes are.
func EncryptedSize(n int64) int64 {
	chunks := (n + ChunkSize - 1) / ChunkSize
	if chunks == 0 {
		chunks = 1 // an empty document is one empty last chunk
	}
	return int64(headerSize) + n + chunks*tagSize
}

func chunkNonce(prefix []byte, n uint32, last bool) []byte {
	nonce := make([]byte, 12)
	copy(nonce, prefix)
	binary.BigEndian.PutUint32(nonce[prefixSize:], n)
	if last {
		nonce[11] = lastChunkBit
	}
	return nonce
}

// encrypter is the sealed stream of a plaintext reader.
type encrypter struct {
	src     io.Reader
	aead    cipher.AEAD
	aad     []byte
	prefix  []byte
	counter uint32
	buf     []byte // plaintext of the chunk being sealed
	peeked  []byte // the first byte of the next chunk, read to tell the last one
	sealed  []byte // the last chunk sealed
	out     []byte // sealed bytes not yet read
	done    bool
	err     error
}

// encrypt returns the sealed stream of src under the data key.
func encrypt(dek []byte, src io.Reader, aad []byte) (io.Reader, error) {
	aead, err := gcm(dek)
	if err != nil {
		return nil, err
	}
	e := &encrypter{src: src, aead: aead, aad: aad, prefix: make([]byte, prefixSize), buf: make([]byte, 0, ChunkSize)}
	if _, err := rand.Read(e.prefix); err != nil {
		return nil, fmt.Errorf("envelope: nonce prefix: %w", err)
	}
	e.out = append([]byte(streamMagic), e.prefix...)
	return e, nil
}

func (e *encrypter) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if e.done {
			return 0, io.EOF
		}
		e.err = e.next()
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

// next seals the next chunk into out.
func (e *encrypter) next() error {
	e.buf = append(e.buf[:0], e.peeked...)
	e.peeked = e.peeked[:0]
	n, err := io.ReadFull(e.src, e.buf[len(e.buf):ChunkSize])
	e.buf = e.buf[:len(e.buf)+n]
	last := false
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		last = true
	case err != nil:
		return fmt.Errorf("envelope: read the document: %w", err)
	default:
		// A full chunk: it is the last one if nothing follows.
		var one [1]byte
		m, err := io.ReadFull(e.src, one[:])
		switch {
		case errors.Is(err, io.EOF):
			last = true
		case err != nil:
			return fmt.Errorf("envelope: read the document: %w", err)
		}
		e.peeked = append(e.peeked, one[:m]...)
	}
	if e.counter == ^uint32(0) && !last {
		return errors.New("envelope: document too large")
	}
	e.sealed = e.aead.Seal(e.sealed[:0], chunkNonce(e.prefix, e.counter, last), e.buf, e.aad)
	e.out = e.sealed
	e.counter++
	e.done = last
	return nil
}

// decrypter is the plaintext of a sealed stream.
type decrypter struct {
	src     io.Reader
	aead    cipher.AEAD
	aad     []byte
	prefix  []byte
	counter uint32
	buf     []byte
	plain   []byte // the last chunk opened
	out     []byte
	done    bool
	err     error
}

// decrypt returns the plaintext of a stream encrypt sealed with the same
// data key and aad. A read fails as soon as a chunk does not open; the
// caller must not use what it read before an error as the document.
func decrypt(dek []byte, src io.Reader, aad []byte) (io.Reader, error) {
	aead, err := gcm(dek)
	if err != nil {
		return nil, err
	}
	header := make([]byte, headerSize)
	if _, err := io.ReadFull(src, header); err != nil || string(header[:len(streamMagic)]) != streamMagic {
		return nil, errStream
	}
	return &decrypter{src: src, aead: aead, aad: aad, prefix: header[len(streamMagic):], buf: make([]byte, 0, sealedChunk+1)}, nil
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

func (d *decrypter) next() error {
	// buf may hold the first byte of this chunk, read to tell the last.
	have := len(d.buf)
	d.buf = d.buf[:sealedChunk+1]
	n, err := io.ReadFull(d.src, d.buf[have:])
	d.buf = d.buf[:have+n]
	var chunk, rest []byte
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if len(d.buf) > sealedChunk {
			return errStream
		}
		chunk = d.buf
	case err != nil:
		return fmt.Errorf("envelope: read the document: %w", err)
	default:
		chunk, rest = d.buf[:sealedChunk], d.buf[sealedChunk:]
	}
	last := rest == nil
	plain, err := d.aead.Open(d.plain[:0], chunkNonce(d.prefix, d.counter, last), chunk, d.aad)
	if err != nil {
		return errStream
	}
	d.plain = plain
	d.counter++
	d.out, d.done = plain, last
	d.buf = append(d.buf[:0], rest...)
	return nil
}
