package verificationform_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/verificationform"
)

// issued is the sample application's form with two websites and two
// responsible persons, issued with a fresh serial.
func issued(t *testing.T) verificationform.Form {
	t.Helper()
	app := sample.ValidApplication()
	numbers := map[string]string{}
	for i, w := range app.Websites {
		if i == 0 {
			numbers[strings.ToLower(w.Domain)] = "BSN7K2M9Q4X8A1"
		}
	}
	f := verificationform.FromApplication("01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d", "云栖云计算有限公司", filing.TypeNewWebsiteElsewhere, app, numbers)
	serial, err := verificationform.NewSerial()
	require.NoError(t, err)
	f.Serial, f.IssuedAt = serial, time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	return f
}

func render(t *testing.T, f verificationform.Form) []byte {
	t.Helper()
	pdf, err := verificationform.Render(f)
	require.NoError(t, err)
	return pdf
}

func write(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// The applicant prints a form that names the subject, every website with
// its responsible person and 备案服务号, and its serial: a PDF text
// extractor reads all of it, in Chinese.
func TestTheVerificationFormPrintsTheFilingInChinese(t *testing.T) {
	f := issued(t)
	out, err := exec.Command(testenv.Poppler(t, "pdftotext"), "-layout", write(t, "form.pdf", render(t, f)), "-").Output()
	require.NoError(t, err)
	text := string(out)
	app := sample.ValidApplication()
	for _, want := range []string{
		"网站备案信息真实性核验单", "核验单编号", f.Serial,
		"新增网站", "浙江", app.Subject.Name, app.Subject.CertificateNumber, app.Subject.Leader.Name,
		app.Websites[0].Name, app.Websites[0].Domain, "BSN7K2M9Q4X8A1",
		app.Websites[1].Name, app.Websites[1].Domain, app.Websites[1].Responsible.Name, "（提交初审后分配）",
		"云栖云计算有限公司", "主体负责人（签字）", "网站负责人（签字）", "单位（盖章）",
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 1, strings.Count(text, "网站负责人（签字）"), "the leader signs once; the academy's 李娜 signs as its responsible person")
}

// A name with a character beyond GB 2312 prints as it is: the form then
// embeds the whole font, not the cut one most forms use.
func TestANameWithARarerCharacterPrintsAsItIs(t *testing.T) {
	f := issued(t)
	f.Subject.Leader = "王堃"
	f.Websites[0].Responsible = "刘䶮"
	out, err := exec.Command(testenv.Poppler(t, "pdftotext"), "-layout", write(t, "form.pdf", render(t, f)), "-").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "主体负责人（签字）：王堃")
	assert.Contains(t, string(out), "刘䶮")
}

func TestTheSameFormRendersToTheSameBytesAndKeepsItsDigest(t *testing.T) {
	f := issued(t)
	assert.Equal(t, render(t, f), render(t, f))
	g := f
	g.Serial = "HY-0000-0000-0000"
	g.Provider = "另一云计算有限公司"
	g.Websites = append([]verificationform.Website(nil), f.Websites...)
	g.Websites[1].ServiceNumber = "BSN0000000002"
	assert.Equal(t, f.Digest(), g.Digest(), "the serial, the provider and the 备案服务号 are not what the applicant attests")
	g.Websites = append([]verificationform.Website(nil), f.Websites...)
	g.Websites[1].Responsible = "王芳"
	assert.NotEqual(t, f.Digest(), g.Digest(), "another responsible person is another form")
}

// The round trip a real applicant makes: the PDF printed and scanned to an
// image, or photographed, comes back with a QR code a decoder reads; a PDF
// of scanned pages is read by its pages' QR codes; the form itself by its
// text.
func TestTheSerialIsReadBackFromTheScanOfThePrintedForm(t *testing.T) {
	f := issued(t)
	pdfPath := write(t, "form.pdf", render(t, f))
	dir := t.TempDir()
	require.NoError(t, exec.Command(testenv.Poppler(t, "pdftoppm"), "-r", "150", "-f", "1", "-l", "1", "-png", pdfPath, filepath.Join(dir, "scan")).Run())
	pages, err := filepath.Glob(filepath.Join(dir, "scan*.png"))
	require.NoError(t, err)
	require.Len(t, pages, 1)
	png, err := os.ReadFile(pages[0])
	require.NoError(t, err)

	t.Run("an image scan by its QR code", func(t *testing.T) {
		got, err := verificationform.FindSerial(png, filing.MediaTypePNG)
		require.NoError(t, err)
		assert.Equal(t, f.Serial, got)
	})
	img, _, err := image.Decode(bytes.NewReader(png))
	require.NoError(t, err)
	var jpg bytes.Buffer
	require.NoError(t, jpeg.Encode(&jpg, img, &jpeg.Options{Quality: 80}))
	t.Run("a photo (JPEG) by its QR code", func(t *testing.T) {
		got, err := verificationform.FindSerial(jpg.Bytes(), filing.MediaTypeJPEG)
		require.NoError(t, err)
		assert.Equal(t, f.Serial, got)
	})
	t.Run("a PDF of scanned pages by the QR code on a page", func(t *testing.T) {
		scanner := fpdf.New("P", "mm", "A4", "")
		scanner.AddPage()
		scanner.RegisterImageOptionsReader("page", fpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(jpg.Bytes()))
		scanner.ImageOptions("page", 0, 0, 210, 297, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
		var scanned bytes.Buffer
		require.NoError(t, scanner.Output(&scanned))
		got, err := verificationform.FindSerial(scanned.Bytes(), filing.MediaTypePDF)
		require.NoError(t, err)
		assert.Equal(t, f.Serial, got)
	})
	t.Run("the form's own PDF by its text", func(t *testing.T) {
		got, err := verificationform.FindSerial(render(t, f), filing.MediaTypePDF)
		require.NoError(t, err)
		assert.Equal(t, f.Serial, got)
	})
	t.Run("a scan without the form shows no serial", func(t *testing.T) {
		var blank bytes.Buffer
		require.NoError(t, jpeg.Encode(&blank, image.NewGray(image.Rect(0, 0, 600, 800)), nil))
		_, err := verificationform.FindSerial(blank.Bytes(), filing.MediaTypeJPEG)
		assert.ErrorIs(t, err, verificationform.ErrNoSerial)
		_, err = verificationform.FindSerial([]byte("%PDF-1.7\n% scanned verification_form\n"), filing.MediaTypePDF)
		assert.ErrorIs(t, err, verificationform.ErrNoSerial)
	})
}

func TestSerialsAreDrawnNotDerived(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s, err := verificationform.NewSerial()
		require.NoError(t, err)
		require.True(t, verificationform.ValidSerial(s), s)
		require.False(t, seen[s])
		seen[s] = true
	}
	assert.False(t, verificationform.ValidSerial("HY-IIII-0000-0000"), "I is not in the alphabet")
}

// Every issued form reads back by its text, whatever bytes its compressed
// streams happen to end in.
func TestEveryRenderedFormReadsBackByItsText(t *testing.T) {
	f := issued(t)
	for i := range 100 {
		serial, err := verificationform.NewSerial()
		require.NoError(t, err)
		f.Serial = serial
		got, err := verificationform.FindSerial(render(t, f), filing.MediaTypePDF)
		require.NoError(t, err, "form %d, serial %s", i, serial)
		require.Equal(t, serial, got)
	}
}

// A scan whose QR code the decoder's first reading gets wrong (its grid
// falls between the blurred modules of this serial's pattern; about one
// form in 75 at 150 dpi did before) is still read: cropped from a real
// 150 dpi rendering of a form that was refused.
func TestAScanWhoseFirstReadingFailsIsReadAgain(t *testing.T) {
	scan, err := os.ReadFile(filepath.Join("testdata", "scan-unlucky-grid.png"))
	require.NoError(t, err)
	got, err := verificationform.FindSerial(scan, filing.MediaTypePNG)
	require.NoError(t, err)
	assert.Equal(t, "HY-9GZM-53MJ-VBMN", got)
}

// BenchmarkRender renders the sample form: the API renders one per
// download of the form.
func BenchmarkRender(b *testing.B) {
	app := sample.ValidApplication()
	f := verificationform.FromApplication("01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d", "云栖云计算有限公司", filing.TypeNewWebsiteElsewhere, app, nil)
	serial, err := verificationform.NewSerial()
	require.NoError(b, err)
	f.Serial, f.IssuedAt = serial, time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := verificationform.Render(f); err != nil {
			b.Fatal(err)
		}
	}
}
