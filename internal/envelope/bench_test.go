package envelope_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"testing"
	"time"

	"github.com/beianflow/beianflow/internal/envelope"
)

// BenchmarkDocumentStream seals and opens a 10 MiB document through the
// streaming format, interleaved with a plain io.Copy of the same bytes as
// the baseline measured in the same run: it reports each one's MiB/s and
// the ratio of their times (the machine is shared; ratios hold, absolute
// times do not).
//
//	go test -run XXX -bench BenchmarkDocumentStream -benchtime 20x ./internal/envelope/
func BenchmarkDocumentStream(b *testing.B) {
	ctx := context.Background()
	keys := envelope.NewKeys(newMemRepo(), envelope.NewLocalKEK(ring(b, "k1")))
	doc := make([]byte, 10<<20)
	_, _ = rand.Read(doc)
	enc, err := keys.Encrypt(ctx, filingA, "document d", bytes.NewReader(doc))
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := io.ReadAll(enc)
	if err != nil {
		b.Fatal(err)
	}
	var plain, encrypt, decrypt time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		// The baseline moves the bytes through io.Copy's buffer as the
		// sealed streams do; bare, bytes.Reader would hand io.Discard the
		// whole slice at once and copy nothing.
		if _, err := io.Copy(discard{}, onlyReader{bytes.NewReader(doc)}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		e, err := keys.Encrypt(ctx, filingA, "document d", bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(discard{}, e); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		d, err := keys.Decrypt(ctx, filingA, "document d", bytes.NewReader(sealed))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(discard{}, d); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		plain, encrypt, decrypt = plain+t1.Sub(t0), encrypt+t2.Sub(t1), decrypt+t3.Sub(t2)
	}
	mib := float64(len(doc)) / (1 << 20) * float64(b.N)
	b.ReportMetric(mib/encrypt.Seconds(), "encrypt_MiB/s")
	b.ReportMetric(mib/decrypt.Seconds(), "decrypt_MiB/s")
	b.ReportMetric(mib/plain.Seconds(), "copy_MiB/s")
	b.ReportMetric(encrypt.Seconds()/plain.Seconds(), "encrypt_x_copy")
	b.ReportMetric(decrypt.Seconds()/plain.Seconds(), "decrypt_x_copy")
}

// onlyReader hides bytes.Reader's WriteTo, discard io.Discard's ReadFrom.
type onlyReader struct{ io.Reader }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
