package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
)

// waitStep waits until the filing is in stage and step, and fails at once
// if the filing ends in another stage.
func waitStep(t testing.TB, id string, stage filing.Stage, step filing.Step) map[string]any {
	t.Helper()
	return waitStepAt(t, sys.baseURL, id, stage, step)
}

// waitStepAt is waitStep against the API at base.
func waitStepAt(t testing.TB, base, id string, stage filing.Stage, step filing.Step) map[string]any {
	t.Helper()
	// Long enough for a worker crash: the activity it ran is retried when
	// its 30 s start-to-close timeout expires.
	deadline := time.Now().Add(90 * time.Second)
	for {
		res := doAt(t, base, http.MethodGet, "/v1/filings/"+id, "", "")
		got, _ := res.Body["stage"].(string)
		if filing.Stage(got) == stage && (step == filing.StepNone || res.Body["step"] == string(step)) {
			return res.Body
		}
		if filing.Stage(got) != stage && filing.Stage(got).Terminal() {
			t.Fatalf("filing %s ended in %s, want %s/%s: %s", id, got, stage, step, res.Raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("filing %s never reached %s/%s; last: %s", id, stage, step, res.Raw)
		}
		time.Sleep(waitPoll)
	}
}

// waitPoll is how often waitStepAt reads the filing. The benchmarks read
// less often: a backend learns of changes from events, and a driver that
// reads each filing twenty times a second measures itself.
var waitPoll = 50 * time.Millisecond

func mustOK(t testing.TB, res response) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	return res.Body
}

// upload sends content the way a client does: the API presigns an upload
// bound to the declared type, size and SHA-256, the client PUTs the bytes
// straight to the document store with the signed headers. It returns the
// body that attaches the object.
func upload(t testing.TB, id, kind, contentType string, content []byte) string {
	t.Helper()
	return uploadAt(t, sys.baseURL, id, kind, contentType, content)
}

// uploadAt is upload through the API at base.
func uploadAt(t testing.TB, base, id, kind, contentType string, content []byte) string {
	t.Helper()
	sum := sha256.Sum256(content)
	digest := hex.EncodeToString(sum[:])
	res := doAt(t, base, http.MethodPost, "/v1/filings/"+id+"/uploads", "application/json", fmt.Sprintf(`{"kind":%q,"content_type":%q,"size":%d,"sha256":%q}`,
		kind, contentType, len(content), digest))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	status := 0
	// As a backend does, an upload the store refused for itself (409 or
	// 5xx) is sent again: versitygw's directory tree answers 409 now and
	// then when thousands of uploads land at once (`make scale`).
	for attempt := 1; attempt <= 3; attempt++ {
		req, err := http.NewRequest(res.Body["method"].(string), res.Body["url"].(string), bytes.NewReader(content))
		require.NoError(t, err)
		for k, v := range res.Body["headers"].(map[string]any) {
			req.Header.Set(k, v.(string))
		}
		put, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		put.Body.Close()
		if status = put.StatusCode; status != http.StatusConflict && status < 500 {
			break
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, status, "the presigned upload is accepted")
	key := res.Body["object_key"].(string)
	return fmt.Sprintf(`{"kind":%q,"object_key":%q,"size":%d,"sha256":%q}`, kind, key, len(content), digest)
}

// document uploads a scanned document of a kind and returns the attach body.
func document(t testing.TB, id, kind string) string {
	return documentAt(t, sys.baseURL, id, kind)
}

func documentAt(t testing.TB, base, id, kind string) string {
	if kind == "verification_form" {
		return uploadAt(t, base, id, kind, "application/pdf", verificationFormAt(t, base, id))
	}
	return uploadAt(t, base, id, kind, "application/pdf", []byte("%PDF-1.7\n% scanned "+kind+" of "+id+"\n"))
}

// verificationFormAt downloads the filing's pre-filled verification form:
// what the applicant prints, signs and scans. The scan of a PDF form is
// read by its text, so the download itself stands for its scan here.
func verificationFormAt(t testing.TB, base, id string) []byte {
	t.Helper()
	res := doAt(t, base, http.MethodGet, "/v1/filings/"+id+"/verification-form", "", "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	return res.Raw
}

// photoPNG is a blank 600×800 portrait, the smallest photo the rules accept.
var photoPNG = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 600, 800))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

// photo uploads the verification photo and returns the body that hands it in.
func photo(t testing.TB, id string) string { return photoAt(t, sys.baseURL, id) }

func photoAt(t testing.TB, base, id string) string {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(uploadAt(t, base, id, "photo", "image/png", photoPNG)), &m))
	delete(m, "kind")
	b, _ := json.Marshal(m)
	return string(b)
}

// TestCompleteFilingFromCreationToFilingNumber drives one 新增网站 filing
// through the public HTTP API against the real dev server, PostgreSQL, S3
// and the sandbox bureau and courier, with one day of the process running in
// about a second.
func TestCompleteFilingFromCreationToFilingNumber(t *testing.T) {
	t.Parallel()
	company := newCompany("ZJ")
	created := postJSON(t, "/v1/filings", createBody("acc-e2e", "ZJ", "yunqi-e2e.com", company))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Raw)
	id := created.Body["filing_id"].(string)

	// Information and materials.
	waitStep(t, id, filing.StageInformation, filing.StepEditing)
	app := sample.ValidApplication()
	app.Subject.CertificateNumber = company
	app.Websites = app.Websites[:1]
	app.Websites[0].Domain = "yunqi-e2e.com"
	app.Websites[0].HomepageURL = "https://www.yunqi-e2e.com/"
	app.Product = filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-acc-e2e-web", Region: "cn-hangzhou"}}
	body, err := json.Marshal(app)
	require.NoError(t, err)
	saved := mustOK(t, do(t, http.MethodPut, "/v1/filings/"+id+"/application", "application/json", string(body)))
	assert.NotNil(t, saved["application"])
	for _, kind := range []string{"verification_form", "subject_certificate", "leader_id"} {
		mustOK(t, postJSON(t, "/v1/filings/"+id+"/materials", document(t, id, kind)))
	}
	mustOK(t, postJSON(t, "/v1/filings/"+id+"/submit", `{}`))

	// Initial review.
	st := waitStep(t, id, filing.StageInitialReview, filing.StepAwaitingReviewer)
	assert.Equal(t, "reviewer", st["waiting_on"])
	assert.EqualValues(t, 1, st["deadline_business_days"])
	mustOK(t, postJSON(t, "/v1/filings/"+id+"/initial-review", `{"approve":true,"reviewer":"staff-1"}`))

	// Photo verification with a mailed backdrop.
	waitStep(t, id, filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	mustOK(t, postJSON(t, "/v1/filings/"+id+"/mailing-address",
		`{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"ZJ","city":"杭州市","district":"西湖区","detail":"文三路90号"}}`))
	st = waitStep(t, id, filing.StagePhotoVerification, filing.StepAwaitingPhoto) // shipped and delivered by the sandbox courier
	shipment := st["shipment"].(map[string]any)
	assert.Regexp(t, `^SF\d{12}$`, shipment["tracking_number"])
	assert.NotNil(t, shipment["delivered_at"])
	mustOK(t, postJSON(t, "/v1/filings/"+id+"/photo", photo(t, id)))
	waitStep(t, id, filing.StagePhotoVerification, filing.StepPhotoReview)
	mustOK(t, postJSON(t, "/v1/filings/"+id+"/photo-review", `{"approve":true,"reviewer":"staff-2"}`))

	// Bureau submission, SMS verification and review happen in the sandbox.
	waitStep(t, id, filing.StageApproved, filing.StepNone)

	var result struct {
		Bureau struct {
			FilingNumber string `json:"filing_number"`
			Submissions  int    `json:"submissions"`
		} `json:"bureau"`
		NextSteps     []string `json:"next_steps"`
		ServiceNumber string   `json:"service_number"`
	}
	require.NoError(t, sys.temporal.GetWorkflow(context.Background(), "filing-"+id, "").Get(context.Background(), &result))
	assert.Regexp(t, regexp.MustCompile(`^浙ICP备\d{8}号-\d+$`), result.Bureau.FilingNumber)
	assert.Equal(t, 1, result.Bureau.Submissions)
	assert.Contains(t, result.NextSteps, "public_security_filing_30_days")
	// A closed filing answers with the state its workflow ended with: the
	// backend reads the filing number there.
	final := get(t, "/v1/filings/"+id)
	assert.Equal(t, "workflow_result", final.Body["source"])
	assert.Equal(t, result.Bureau.FilingNumber, final.Body["bureau"].(map[string]any)["filing_number"])
	assert.NotEmpty(t, final.Body["timeline"])
	row, err := store.NewFilings(sys.app.DB).Get(context.Background(), filing.ID(id))
	require.NoError(t, err)
	assert.Equal(t, string(filing.StageApproved), row.Stage)
	assert.True(t, row.Closed)

	subs, err := sys.app.World.BureauSandbox.Submissions(context.Background(), id)
	require.NoError(t, err)
	assert.Len(t, subs, 1, "submitted to the bureau exactly once")
	ships, err := sys.app.World.CourierSandbox.Shipments(context.Background(), id)
	require.NoError(t, err)
	assert.Len(t, ships, 1, "one backdrop mailed")
	var status string
	require.NoError(t, sys.app.DB.Gorm.Raw("SELECT status FROM service_numbers WHERE number = ?", result.ServiceNumber).Scan(&status).Error)
	assert.Equal(t, "consumed", status, "the 备案服务号 is consumed by the approval")

	// Each notification is queued once per channel and delivered by the
	// outbox sender; the sandbox's events arrived as signed webhooks.
	type sent struct {
		Event, Channel, Status string
		N                      int
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var rows []sent
		assert.NoError(c, sys.app.DB.Gorm.Raw(`SELECT event, channel, status, count(*) AS n FROM outbox_messages
			WHERE filing_id = ? GROUP BY event, channel, status`, id).Scan(&rows).Error)
		events := map[string]bool{}
		for _, r := range rows {
			assert.Equal(c, "sent", r.Status, "%+v", r)
			assert.Equal(c, 1, r.N, "one message per event and channel: %+v", r)
			events[r.Event+"/"+r.Channel] = true
		}
		for _, e := range []string{"initial_review_approved", "backdrop_shipped", "bureau_submitted", "bureau_approved"} {
			assert.True(c, events[e+"/sms"] && events[e+"/email"], "%s sent by SMS and e-mail", e)
		}
	}, 20*time.Second, 100*time.Millisecond)
	var sources []string
	require.NoError(t, sys.app.DB.Gorm.Raw(`SELECT DISTINCT source FROM webhook_deliveries`).Scan(&sources).Error)
	assert.ElementsMatch(t, []string{"bureau", "courier"}, sources, "the sandbox pushed over signed webhooks")

	// Personal data never enters the history: not in inputs, results,
	// updates or search attributes (they hold references only). And every
	// payload is encrypted, so even what the history does carry (the
	// domain, the summary) is unreadable on the server.
	raw := rawHistory(t, id)
	decoded := decodedHistory(t, id)
	// Controls: decrypted, the scan sees payload text, Chinese included.
	require.Contains(t, decoded, "yunqi-e2e.com")
	require.Contains(t, decoded, "浙江", "the static summary's province name")
	assert.NotContains(t, raw, "yunqi-e2e.com", "payloads are encrypted on the server")
	assert.NotContains(t, raw, "浙江", "the summary is encrypted too")
	assert.Contains(t, raw, "binary/encrypted")
	for _, pii := range []string{app.Subject.Leader.Name, app.Subject.Leader.IDNumber, app.Subject.Leader.Mobile,
		app.Subject.Leader.Email, app.Subject.EmergencyPhone, app.Subject.Name, app.Subject.CertificateNumber,
		app.Subject.MailingAddress.Detail, "张伟", "13800138000"} {
		assert.NotContains(t, raw, pii, "personal data in the raw workflow history")
		assert.NotContains(t, decoded, pii, "personal data in the decrypted workflow history")
	}

	recordHistory(t, id, "complete_filing_zj")
}

func storeFilings() *store.Filings { return store.NewFilings(sys.app.DB) }
