package verificationform

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/font/sfnt"
)

// The cut font keeps a glyph for every character it claims, so a form
// printed from it shows each one as the whole font would, never a box.
func TestTheCutFontHasAGlyphForEveryCharacterOfGB2312(t *testing.T) {
	whole, err := font()
	require.NoError(t, err)
	cut, err := commonFont()
	require.NoError(t, err)
	assert.Less(t, len(cut), len(whole)/3, "the point of the cut is a font a third the size or less")
	wf, err := sfnt.Parse(whole)
	require.NoError(t, err)
	cf, err := sfnt.Parse(cut)
	require.NoError(t, err)
	var buf sfnt.Buffer
	set := common()
	assert.Greater(t, len(set), 7000, "ASCII and GB 2312's 6,763 hanzi and its symbols")
	missing := 0
	for r := range set {
		w, err := wf.GlyphIndex(&buf, r)
		require.NoError(t, err)
		if w == 0 {
			continue // the whole font has none either: nothing lost
		}
		if c, err := cf.GlyphIndex(&buf, r); err != nil || c == 0 {
			missing++
			if missing < 10 {
				t.Errorf("%q (U+%04X) is in the whole font but not in the cut", r, r)
			}
		}
	}
	assert.Zero(t, missing, "characters lost in the cut")
}

// A form of GB 2312 characters embeds from the cut font; a form with a
// character beyond it (堃 is common in names and is not in GB 2312)
// embeds from the whole font.
func TestAFormWithARarerCharacterEmbedsTheWholeFont(t *testing.T) {
	whole, err := font()
	require.NoError(t, err)
	cut, err := commonFont()
	require.NoError(t, err)
	got, err := fontFor("主体负责人（签字）：王伟 zhejiang-yunqi.com 91330106MA2B3C4D5E")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(cut, got), "the cut font")
	got, err = fontFor("主体负责人（签字）：王堃")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(whole, got), "the whole font")
	got, err = fontFor("刘䶮")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(whole, got), "the whole font (CJK Extension A)")
}
