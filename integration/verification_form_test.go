package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// The seed's applicant downloads the pre-filled 核验单, prints it, signs it
// and uploads the scan. The form names the subject, every website, its
// responsible person and 备案服务号 and a serial; a scan is accepted only
// when it shows a serial of this filing.
func TestTheVerificationFormIsDownloadedSignedAndTiedToItsFilingOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-form.com", "云栖科技官网")
	s.app.Websites = append(s.app.Websites, secondWebsite(s, "yunqi-form-academy.com"))
	s.save()

	res := doAt(t, s.base, http.MethodGet, s.path("/verification-form"), "", "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	serial := res.Header.Get("X-Verification-Form-Serial")
	require.Regexp(t, `^HY-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`, serial)
	assert.Contains(t, res.Header.Get("Content-Disposition"), serial)
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "form.pdf")
	require.NoError(t, os.WriteFile(pdfPath, res.Raw, 0o600))

	text, err := exec.Command(testenv.Poppler(t, "pdftotext"), pdfPath, "-").Output()
	require.NoError(t, err)
	st := s.state()
	for _, want := range []string{"网站备案信息真实性核验单", serial, s.app.Subject.Name, s.app.Subject.CertificateNumber,
		s.app.Subject.Leader.Name, "云栖科技官网", "yunqi-form.com", st["service_number"].(string),
		s.app.Websites[1].Name, "yunqi-form-academy.com", s.app.Websites[1].Responsible.Name, "示例云计算有限公司"} {
		assert.Contains(t, string(text), want)
	}

	again := doAt(t, s.base, http.MethodGet, s.path("/verification-form"), "", "")
	assert.Equal(t, serial, again.Header.Get("X-Verification-Form-Serial"), "the same content keeps its serial")
	reads, err := store.NewPersonalDataReads(sys.app.DB).List(context.Background(), filing.ID(s.id))
	require.NoError(t, err)
	of := 0
	for _, r := range reads {
		if r.What == "verification_form "+serial {
			of++
			assert.Regexp(t, `^backend:`, r.Actor, "who read it, by key, not by name")
		}
	}
	assert.Equal(t, 3, of, "each download is recorded (one by save, two here): %v", reads)

	// A scan of another filing's form, or one without a readable serial, is
	// refused and changes nothing.
	other := startScenario(t, "ZJ", "yunqi-form-other.com", "云栖科技官网")
	res = doAt(t, s.base, http.MethodPost, s.path("/materials"), "application/json",
		uploadAt(t, s.base, s.id, "verification_form", "application/pdf", verificationFormAt(t, other.base, other.id)))
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "form_of_another_filing", res.Body["details"].(map[string]any)["reason"])
	res = doAt(t, s.base, http.MethodPost, s.path("/materials"), "application/json",
		uploadAt(t, s.base, s.id, "verification_form", "image/png", photoPNG))
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "form_serial_unreadable", res.Body["details"].(map[string]any)["reason"])

	// The signed form, scanned to an image: its QR code carries the serial.
	require.NoError(t, exec.Command(testenv.Poppler(t, "pdftoppm"), "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile",
		pdfPath, filepath.Join(dir, "scan")).Run())
	scan, err := os.ReadFile(filepath.Join(dir, "scan.png"))
	require.NoError(t, err)
	s.ok("/materials", uploadAt(t, s.base, s.id, "verification_form", "image/png", scan))

	// Changing a responsible person changes the form: a new serial, and
	// the automated checks refuse the form signed before the change, as
	// the bureau would.
	s.app.Websites[1].Responsible.Name = "王芳"
	s.app.Websites[1].Responsible.IDNumber = sample.ResidentID("330106", "19880321", "128")
	body, err := json.Marshal(s.app)
	require.NoError(t, err)
	mustOK(t, doAt(t, s.base, http.MethodPut, s.path("/application"), "application/json", string(body)))
	s.attachDemanded()
	s.ok("/submit", `{}`)
	st = s.returnedBy("automated_checks")
	var codes []string
	for _, r := range st["last_rejection"].(map[string]any)["reasons"].([]any) {
		codes = append(codes, r.(map[string]any)["code"].(string))
	}
	assert.Equal(t, []string{"material.form_outdated"}, codes)

	changed := doAt(t, s.base, http.MethodGet, s.path("/verification-form"), "", "")
	require.Equal(t, http.StatusOK, changed.Status, "%s", changed.Raw)
	assert.NotEqual(t, serial, changed.Header.Get("X-Verification-Form-Serial"))
	s.ok("/materials", uploadAt(t, s.base, s.id, "verification_form", "application/pdf", changed.Raw))
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/cancel", `{"reason":"user_request"}`)
	other.ok("/cancel", `{"reason":"user_request"}`)
}
