package verificationform

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // scans and photos
	_ "image/png"
	"io"
	"regexp"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/beianflow/beianflow/filing"
)

// ErrNoSerial says a scan shows no readable serial.
var ErrNoSerial = errors.New("verification form: no serial in the scan")

// maxInflated bounds what one PDF stream may inflate to, against a
// compression bomb in an upload.
const maxInflated = 64 << 20

// FindSerial reads the serial off an uploaded scan: from its QR code when
// the scan is an image (a photo or a scanner's JPEG or PNG); from its text
// when it is a PDF, or, for a PDF of scanned pages, from the QR code on its
// JPEG pages. Every failure is ErrNoSerial: a scan that cannot be decoded
// shows no readable serial either.
func FindSerial(content []byte, contentType string) (string, error) {
	switch contentType {
	case filing.MediaTypePDF:
		return serialInPDF(content)
	case filing.MediaTypeJPEG, filing.MediaTypePNG:
		img, _, err := image.Decode(bytes.NewReader(content))
		if err != nil {
			return "", fmt.Errorf("%w: decode the scan: %w", ErrNoSerial, err)
		}
		return serialInImage(img)
	}
	return "", fmt.Errorf("%w: %s scans cannot be read", ErrNoSerial, contentType)
}

// serialInImage decodes the image's QR code. A scan's modules are a few
// pixels wide, blurred by the scanner and the printer: the decoder's grid
// sometimes lands between them and reads garbage (about one form in 75 at
// 150 dpi, depending on the serial's pattern). It then tries as a phone's
// scanner does, again and again: another binarizer, and the image at other
// sizes, which move the sampling grid.
func serialInImage(img image.Image) (string, error) {
	if s, ok := decodeQR(img, false); ok {
		return s, nil
	}
	if s, ok := decodeQR(img, true); ok {
		return s, nil
	}
	gray := grayOf(img)
	for _, size := range [][2]int{{3, 4}, {1, 2}, {2, 1}} {
		if s, ok := decodeQR(scaled(gray, size[0], size[1]), false); ok {
			return s, nil
		}
	}
	return "", ErrNoSerial
}

// grayOf is img in grey, with its origin at 0,0.
func grayOf(img image.Image) *image.Gray {
	b := img.Bounds()
	gray := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			gray.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return gray
}

// decodeQR reads a serial from the image's QR code.
func decodeQR(img image.Image, global bool) (string, bool) {
	src := gozxing.NewLuminanceSourceFromImage(img)
	binarizer := gozxing.NewHybridBinarizer(src)
	if global {
		binarizer = gozxing.NewGlobalHistgramBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(binarizer)
	if err != nil {
		return "", false
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", false
	}
	s := serialPattern.FindString(res.GetText())
	return s, s != ""
}

// scaled is gray at num/den of its size, each pixel the average of the
// source pixels it covers (or a copy of the one it falls on, when
// enlarging).
func scaled(gray *image.Gray, num, den int) image.Image {
	b := gray.Bounds()
	w, h := b.Dx()*num/den, b.Dy()*num/den
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := y*den/num, max((y+1)*den/num, y*den/num+1)
		for x := range w {
			x0, x1 := x*den/num, max((x+1)*den/num, x*den/num+1)
			sum, n := 0, 0
			for sy := y0; sy < y1 && sy < b.Dy(); sy++ {
				for sx := x0; sx < x1 && sx < b.Dx(); sx++ {
					sum += int(gray.Pix[sy*gray.Stride+sx])
					n++
				}
			}
			if n > 0 {
				out.Pix[y*out.Stride+x] = uint8(sum / n)
			}
		}
	}
	return out
}

// serialInPDF looks for the serial in the text of the PDF's content
// streams, then in the QR codes of its JPEG images. It reads streams, not
// the PDF's object structure: enough for the forms this package prints and
// for the PDFs scanners write, and nothing in an upload is executed.
func serialInPDF(content []byte) (string, error) {
	var images [][]byte
	for _, s := range pdfStreams(content) {
		switch {
		case bytes.Contains(s.dict, []byte("/DCTDecode")):
			images = append(images, s.data)
		case bytes.Contains(s.dict, []byte("/FlateDecode")):
			if bytes.Contains(s.dict, []byte("/Image")) {
				continue // raw pixels; scanners write JPEG
			}
			text, err := inflate(s.data)
			if err != nil {
				continue
			}
			if serial := serialPattern.Find(textOf(text)); serial != nil {
				return string(serial), nil
			}
		case !bytes.Contains(s.dict, []byte("/Filter")):
			if serial := serialPattern.Find(textOf(s.data)); serial != nil {
				return string(serial), nil
			}
		}
	}
	for _, jpg := range images {
		img, _, err := image.Decode(bytes.NewReader(jpg))
		if err != nil {
			continue
		}
		if serial, err := serialInImage(img); err == nil {
			return serial, nil
		}
	}
	return "", ErrNoSerial
}

// pdfStream is one stream of a PDF: its dictionary and its raw data.
type pdfStream struct{ dict, data []byte }

// pdfStreams lists the streams of a PDF file.
func pdfStreams(pdf []byte) []pdfStream {
	var out []pdfStream
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			return out
		}
		// "endstream" contains "stream"; so does no dictionary's end.
		if i >= 3 && string(rest[i-3:i]) == "end" {
			rest = rest[i+len("stream"):]
			continue
		}
		start := i + len("stream")
		if start < len(rest) && rest[start] == '\r' {
			start++
		}
		if start < len(rest) && rest[start] == '\n' {
			start++
		}
		end := bytes.Index(rest[start:], []byte("endstream"))
		if end < 0 {
			return out
		}
		dictStart := bytes.LastIndex(rest[:i], []byte("obj"))
		if dictStart < 0 {
			dictStart = 0
		}
		dict := rest[dictStart:i]
		out = append(out, pdfStream{dict: dict, data: streamData(dict, rest[start:start+end])})
		rest = rest[start+end+len("endstream"):]
	}
}

// lengthPattern is a stream's direct /Length.
var lengthPattern = regexp.MustCompile(`/Length (\d+)[\s/>]`)

// streamData cuts a stream's data to its /Length when the dictionary gives
// it directly; otherwise it drops the one end-of-line marker before
// "endstream". Compressed data may itself end in CR or LF bytes, which
// must stay.
func streamData(dict, raw []byte) []byte {
	if m := lengthPattern.FindSubmatch(dict); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n <= len(raw) {
			return raw[:n]
		}
	}
	switch {
	case bytes.HasSuffix(raw, []byte("\r\n")):
		return raw[:len(raw)-2]
	case bytes.HasSuffix(raw, []byte("\n")), bytes.HasSuffix(raw, []byte("\r")):
		return raw[:len(raw)-1]
	}
	return raw
}

// inflate decompresses a Flate stream; what inflated before an error (a
// checksum that does not match, a cut stream) is still returned.
func inflate(data []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	out, err := io.ReadAll(io.LimitReader(r, maxInflated))
	if len(out) > 0 {
		return out, nil
	}
	return nil, err
}

// textOf joins the literal strings of a content stream, in order: a
// serial printed in pieces (a TJ array with kerning) reads whole again.
func textOf(stream []byte) []byte {
	var out []byte
	for i := 0; i < len(stream); i++ {
		if stream[i] != '(' {
			continue
		}
		depth := 1
		for i++; i < len(stream) && depth > 0; i++ {
			switch c := stream[i]; c {
			case '\\':
				if i+1 < len(stream) {
					i++
					out = append(out, stream[i])
				}
			case '(':
				depth++
				out = append(out, c)
			case ')':
				depth--
				if depth > 0 {
					out = append(out, c)
				}
			default:
				out = append(out, c)
			}
		}
		i--
	}
	return out
}
