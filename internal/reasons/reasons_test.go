package reasons_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/reasons"
)

func TestTheEmbeddedCatalogueIsValid(t *testing.T) {
	c := reasons.Default()
	assert.NotEmpty(t, c.Version)
	initial, photo := 0, 0
	for _, r := range c.Reasons {
		if r.Queue == filing.QueueInitial {
			initial++
		} else {
			photo++
		}
	}
	assert.GreaterOrEqual(t, initial, 10, "the usual initial-review rejections")
	assert.GreaterOrEqual(t, photo, 5, "the usual photo rejections")
}

func TestBadCataloguesAreRefused(t *testing.T) {
	for name, data := range map[string]string{
		"no version":     `{"reasons":[]}`,
		"unknown member": `{"version":"1","reasons":[],"extra":1}`,
		"code not snake": `{"version":"1","reasons":[{"code":"Photo-Blurred","queue":"photo","field":"photo","zh":"a","en":"a","hint_zh":"a","hint_en":"a","source":"x"}]}`,
		"unknown queue":  `{"version":"1","reasons":[{"code":"a","queue":"bureau","field":"photo","zh":"a","en":"a","hint_zh":"a","hint_en":"a","source":"x"}]}`,
		"missing hint":   `{"version":"1","reasons":[{"code":"a","queue":"photo","field":"photo","zh":"a","en":"a","hint_zh":"","hint_en":"a","source":"x"}]}`,
		"listed twice":   `{"version":"1","reasons":[{"code":"a","queue":"photo","field":"photo","zh":"a","en":"a","hint_zh":"a","hint_en":"a","source":"x"},{"code":"a","queue":"photo","field":"photo","zh":"a","en":"a","hint_zh":"a","hint_en":"a","source":"x"}]}`,
	} {
		_, err := reasons.Parse([]byte(data))
		assert.Error(t, err, name)
	}
}

// A rejection is made of catalogue reasons; each carries the catalogue's
// words for the applicant, the reviewer's text as a supplement.
func TestARejectionGetsTheCataloguesWords(t *testing.T) {
	c := reasons.Default()
	out, bad := c.Apply(filing.QueuePhoto, []filing.Reason{
		{Code: "photo_blurred", Message: "眼睛处反光"},
		{Code: "background_not_backdrop", Field: "photo"},
	})
	require.Equal(t, -1, bad)
	assert.Equal(t, "photo", out[0].Field, "the catalogue's field where the reviewer gave none")
	assert.Equal(t, "照片模糊或曝光不当。", out[0].Text.ZH)
	assert.NotEmpty(t, out[0].Hint.EN)
	assert.Equal(t, "眼睛处反光", out[0].Message)
	assert.Equal(t, c.Version, out[1].CatalogueVersion)

	_, bad = c.Apply(filing.QueuePhoto, []filing.Reason{{Code: "photo_blurred"}, {Code: "name_mismatch"}})
	assert.Equal(t, 1, bad, "an initial-review reason is not a photo reason")
	_, bad = c.Apply(filing.QueueInitial, []filing.Reason{{Code: "made_up"}})
	assert.Equal(t, 0, bad)
}
