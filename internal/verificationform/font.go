package verificationform

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/encoding/simplifiedchinese"
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

// The PDF library parses the whole font for every document it embeds it
// in, and the whole font has some 28,000 glyphs: about 70 ms and 40 MB of
// allocations per form, most of the API's work for a filing. Nearly every
// form prints only characters of GB 2312 (6,763 hanzi and the full-width
// punctuation, letters and digits) and ASCII, so the font is cut once, per
// process, to those 7,600-odd glyphs, and a form that prints only them
// embeds from the cut, about five times faster; a form that prints
// anything else (堃, 䶮, a name's rarer character) embeds from the whole
// font. The glyphs are the same either way, and the same form always takes
// the same path, so it still renders to the same bytes.

// common are the runes of the cut font: printable ASCII and every
// character GB 2312 encodes.
var common = sync.OnceValue(func() map[rune]bool {
	set := map[rune]bool{}
	for r := rune(0x20); r < 0x7f; r++ {
		set[r] = true
	}
	// GB 2312 is EUC-CN's two-byte range 0xA1A1–0xF7FE; GBK decodes it
	// as GB 2312 does, and its unassigned cells to nothing or U+FFFD.
	dec := simplifiedchinese.GBK.NewDecoder()
	for hi := 0xA1; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			out, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			if r, n := utf8.DecodeRune(out); n == len(out) && r != utf8.RuneError {
				set[r] = true
			}
		}
	}
	return set
})

// commonFont is the font cut to the common runes, cut once.
var commonFont = sync.OnceValues(func() ([]byte, error) {
	ttf, err := font()
	if err != nil {
		return nil, err
	}
	// In order: the cut must be the same in every process, so that a
	// form renders to the same bytes in each API.
	runes := slices.Sorted(maps.Keys(common()))
	cut := fpdf.UTF8CutFont(ttf, string(runes))
	if len(cut) == 0 {
		return nil, fmt.Errorf("verification form: font: cutting it to %d characters gave nothing", len(runes))
	}
	return cut, nil
})

// fontFor is the font to embed for a form that prints the runes of text:
// the cut font when it has them all, the whole font otherwise.
func fontFor(text string) ([]byte, error) {
	set := common()
	for _, r := range text {
		if !set[r] {
			return font()
		}
	}
	return commonFont()
}
