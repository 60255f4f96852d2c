package verificationform

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"
)

// fontGz is WenQuanYi Micro Hei (Apache-2.0, see font/NOTICE), a
// TrueType font with the CJK characters names and addresses use and the
// Latin letters and digits of domains and numbers. It is embedded so the
// binary needs no font installed; each PDF carries only the glyphs it
// prints.
//
//go:embed font/wqy-microhei.ttf.gz
var fontGz []byte

// font is the uncompressed font, read once.
var font = sync.OnceValues(func() ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(fontGz))
	if err != nil {
		return nil, fmt.Errorf("verification form: font: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("verification form: font: %w", err)
	}
	return b, nil
})
