package verificationform

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

const (
	cjk       = "wqy"
	pageW     = 210.0 // A4, mm
	margin    = 18.0
	labelW    = 42.0
	rowH      = 6.5
	qrSide    = 30.0
	fontSize  = 10.5
	titleSize = 17.0
)

// Render prints the form as a one- or two-page A4 PDF in Chinese: the
// serial at the top as text and QR code, then the subject, each website,
// the provider, and the lines the subject leader and every website
// responsible person sign. The same form renders to the same bytes.
func Render(f Form) ([]byte, error) {
	if !ValidSerial(f.Serial) {
		return nil, fmt.Errorf("verification form: render: serial %q is not issued", f.Serial)
	}
	// The form is drawn twice: once to learn what it prints, which picks
	// the font to embed (font.go), then onto the page.
	var printed textOnly
	draw(&printed, f)
	ttf, err := fontFor(printed.String())
	if err != nil {
		return nil, err
	}
	qr, err := qrcode.Encode(f.Serial, qrcode.High, 512)
	if err != nil {
		return nil, fmt.Errorf("verification form: QR code: %w", err)
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(f.IssuedAt)
	pdf.SetModificationDate(f.IssuedAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("网站备案信息真实性核验单 "+f.Serial, true)
	pdf.SetProducer("beianflow", true)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddUTF8FontFromBytes(cjk, "", ttf)
	pdf.AddPage()

	// The serial and its QR code, top right, where a scan keeps them whole.
	pdf.RegisterImageOptionsReader("serial-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	pdf.ImageOptions("serial-qr", pageW-margin-qrSide, margin-4, qrSide, qrSide, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	draw(pdf, f)

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("verification form: render: %w", err)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("verification form: render: %w", err)
	}
	if out.Len() == 0 {
		return nil, errors.New("verification form: render: empty PDF")
	}
	return out.Bytes(), nil
}

// canvas is what the form is drawn on: a *fpdf.Fpdf, or textOnly.
type canvas interface {
	SetFont(family, style string, size float64)
	SetFillColor(r, g, b int)
	SetXY(x, y float64)
	SetY(y float64)
	GetXY() (float64, float64)
	GetY() float64
	Ln(h float64)
	Rect(x, y, w, h float64, style string)
	CellFormat(w, h float64, text, border string, ln int, align string, fill bool, link int, linkURL string)
	MultiCell(w, h float64, text, border, align string, fill bool)
}

// textOnly is a canvas that keeps only the text drawn on it.
type textOnly struct{ strings.Builder }

// SetFont and the other methods but CellFormat and MultiCell draw nothing.
func (*textOnly) SetFont(string, string, float64) {}

// SetFillColor draws nothing.
func (*textOnly) SetFillColor(int, int, int) {}

// SetXY draws nothing.
func (*textOnly) SetXY(float64, float64) {}

// SetY draws nothing.
func (*textOnly) SetY(float64) {}

// GetXY is the origin: textOnly keeps no position.
func (*textOnly) GetXY() (float64, float64) { return 0, 0 }

// GetY is the top: textOnly keeps no position.
func (*textOnly) GetY() float64 { return 0 }

// Ln draws nothing.
func (*textOnly) Ln(float64) {}

// Rect draws nothing.
func (*textOnly) Rect(float64, float64, float64, float64, string) {}

// CellFormat keeps the cell's text.
func (t *textOnly) CellFormat(_, _ float64, text, _ string, _ int, _ string, _ bool, _ int, _ string) {
	t.WriteString(text)
}

// MultiCell keeps the cell's text.
func (t *textOnly) MultiCell(_, _ float64, text, _, _ string, _ bool) { t.WriteString(text) }

// draw draws the form's text and lines onto pdf, below the QR code.
func draw(pdf canvas, f Form) {
	pdf.SetFont(cjk, "", fontSize)
	pdf.SetXY(margin, margin)
	pdf.CellFormat(0, 6, "核验单编号", "", 1, "L", false, 0, "")
	// The serial is set in a core font: its characters then stand as they
	// are in the PDF's text, where a PDF scan is checked for it.
	pdf.SetFont("Courier", "B", 13)
	pdf.CellFormat(0, 7, f.Serial, "", 1, "L", false, 0, "")

	pdf.SetFont(cjk, "", titleSize)
	pdf.SetY(margin + qrSide)
	pdf.CellFormat(0, 10, "网站备案信息真实性核验单", "", 1, "C", false, 0, "")
	pdf.Ln(2)

	section(pdf, "一、主办者信息")
	row(pdf, "备案类型", f.FilingType)
	row(pdf, "备案省份", f.Province)
	row(pdf, "主办单位名称", f.Subject.Name)
	row(pdf, "主办单位性质", f.Subject.Nature)
	row(pdf, "主办单位证件类型", f.Subject.CertificateType)
	row(pdf, "主办单位证件号码", f.Subject.CertificateNumber)
	row(pdf, "证件住所", f.Subject.Address)
	row(pdf, "主体负责人", f.Subject.Leader)

	for i, w := range f.Websites {
		section(pdf, fmt.Sprintf("二、网站信息（%d/%d）", i+1, len(f.Websites)))
		row(pdf, "网站名称", w.Name)
		row(pdf, "网站域名", w.Domain)
		row(pdf, "网站首页", w.HomepageURL)
		row(pdf, "网站负责人", w.Responsible)
		number := w.ServiceNumber
		if number == "" {
			number = "（提交初审后分配）"
		}
		row(pdf, "备案服务号", number)
	}

	section(pdf, "三、接入信息")
	row(pdf, "接入服务商", f.Provider)

	section(pdf, "四、承诺与签字")
	pdf.SetFont(cjk, "", fontSize)
	pdf.MultiCell(0, 6, "本单位（本人）承诺：所填报的网站备案信息真实、准确、完整，并已知晓网站备案的相关规定。"+
		"如有虚假，愿承担由此产生的一切后果。", "", "L", false)
	pdf.Ln(3)
	signature(pdf, "主体负责人（签字）："+f.Subject.Leader)
	signed := map[string]bool{f.Subject.Leader: true}
	for _, w := range f.Websites {
		if signed[w.Responsible] {
			continue
		}
		signed[w.Responsible] = true
		signature(pdf, "网站负责人（签字）："+w.Responsible)
	}
	if f.Subject.Nature != "个人" {
		signature(pdf, "单位（盖章）：")
	}
	pdf.CellFormat(0, rowH, "日期：        年      月      日", "", 1, "L", false, 0, "")
	pdf.Ln(3)
	pdf.SetFont(cjk, "", 9)
	pdf.MultiCell(0, 5, "填写说明：请用黑色签字笔签字，扫描或拍照后上传；核验单须完整、清晰，核验单编号与二维码不得遮挡。"+
		"备案信息如有修改，请重新下载核验单。", "", "L", false)
}

func section(pdf canvas, title string) {
	pdf.Ln(2)
	pdf.SetFont(cjk, "", 12)
	pdf.SetFillColor(235, 235, 235)
	pdf.CellFormat(0, rowH, title, "1", 1, "L", true, 0, "")
}

func row(pdf canvas, label, value string) {
	pdf.SetFont(cjk, "", fontSize)
	x, y := pdf.GetXY()
	pdf.CellFormat(labelW, rowH, label, "1", 0, "L", false, 0, "")
	// Long values (addresses, URLs) wrap within their cell; the label's
	// cell is stretched to the same height.
	pdf.MultiCell(0, rowH, value, "1", "L", false)
	if h := pdf.GetY() - y; h > rowH {
		pdf.Rect(x, y, labelW, h, "D")
	}
}

func signature(pdf canvas, label string) {
	pdf.SetFont(cjk, "", fontSize)
	pdf.CellFormat(0, rowH+3, label+"    ____________________", "", 1, "L", false, 0, "")
}
