package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

const testID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

// filingJSON is a filing answer shaped like the server's filingResponse.
const filingJSON = `{"filing_id":"` + testID + `","account_id":"acc-1","province":"ZJ",
	"filing_type":"new_website","domain":"example.com","rule_set_version":"rs-1","calendar_version":"cal-1",
	"stage":"initial_review","step":"awaiting_reviewer","waiting_on":"reviewer",
	"deadline":"2026-03-03T10:00:00Z","deadline_business_days":1,"initial_review_rounds":1,
	"revision":7,"created_at":"2026-03-01T09:00:00Z","updated_at":"2026-03-02T10:00:00Z","timeline":[],
	"workflow_id":"filing-` + testID + `","source":"workflow","business_days_left":1}`

// recorded is one request as the fake server saw it.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	EscapedPath            string
}

// fakeAPI records every request and answers with handle, like the real
// server: JSON bodies, X-Request-Id on every answer.
type fakeAPI struct {
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, n int, body []byte)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, r.URL.EscapedPath()})
	n := len(f.reqs)
	f.mu.Unlock()
	w.Header().Set(HeaderRequestID, fmt.Sprintf("req-%d", n))
	f.handle(w, r, n, body)
}

func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func apiError(code, field, message string) string {
	b, _ := json.Marshal(map[string]string{"code": code, "field": field, "message": message})
	return string(b)
}

// serve starts a fake API and a client of it whose retries wait
// milliseconds, so the tests exercise retries without sleeping.
func serve(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int, body []byte), opts ...Option) (*Client, *fakeAPI) {
	t.Helper()
	f := &fakeAPI{handle: handle}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return fastRetries(New(srv.URL+"/", "key-test-1", opts...)), f
}

func fastRetries(c *Client) *Client {
	c.backoffBase, c.backoffCap = time.Millisecond, 5*time.Millisecond
	return c
}

func TestSendsBearerLanguageAndUserAgentAndDecodesFiling(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusOK, filingJSON)
	}, WithLanguage(LanguageEN), WithUserAgent("backend-test/2"))

	var meta Meta
	got, err := c.GetFiling(context.Background(), testID, Into(&meta))
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/filings/"+testID, reqs[0].Path, "the trailing slash of the base URL is dropped")
	assert.Equal(t, "Bearer key-test-1", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "en", reqs[0].Header.Get("Accept-Language"))
	assert.Equal(t, "backend-test/2", reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Accept"))
	assert.Empty(t, reqs[0].Header.Get(HeaderIdempotencyKey), "GET is safe; it needs no key")

	assert.Equal(t, filing.ID(testID), got.FilingID)
	assert.Equal(t, filing.StageInitialReview, got.Stage)
	assert.Equal(t, filing.PartyReviewer, got.WaitingOn)
	assert.Equal(t, filing.StepAwaitingReviewer, got.Step)
	assert.Equal(t, int64(7), got.Revision)
	assert.Equal(t, "filing-"+testID, got.WorkflowID)
	assert.Equal(t, filing.SourceWorkflow, got.Source)
	require.NotNil(t, got.BusinessDaysLeft)
	assert.Equal(t, 1, *got.BusinessDaysLeft)
	require.NotNil(t, got.Deadline)
	assert.Equal(t, time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), got.Deadline.UTC())

	assert.Equal(t, Meta{Status: http.StatusOK, RequestID: "req-1", Attempts: 1}, meta)
}

func TestCreateFilingSendsTheServersJSON(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		w.Header().Set("Location", "/v1/filings/"+testID)
		writeJSON(w, http.StatusCreated, strings.Replace(filingJSON, `"source":"workflow"`, `"source":"request"`, 1))
	})
	got, err := c.CreateFiling(context.Background(), filing.CreateRequest{
		AccountID: "acc-1",
		Subject: filing.SubjectIdentity{Province: "ZJ", Nature: filing.NatureEnterprise,
			CertificateType: filing.CertBusinessLicense, CertificateNumber: "91330106MA27UK8P01"},
		Domain:  "example.com",
		Product: filing.Product{InstanceID: "i-acc-1-web"},
	})
	require.NoError(t, err)
	assert.Equal(t, filing.SourceRequest, got.Source)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/filings", reqs[0].Path)
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	// The README's example request, field for field.
	assert.JSONEq(t, `{"account_id":"acc-1",
		"subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license",
		           "certificate_number":"91330106MA27UK8P01"},
		"domain":"example.com","product":{"instance_id":"i-acc-1-web"}}`, string(reqs[0].Body))
	_, err = uuid.Parse(reqs[0].Header.Get(HeaderIdempotencyKey))
	assert.NoError(t, err, "a generated idempotency key is a UUID")
}

// TestEndpoints checks the method, path and body of every call against the
// server's routes and request types.
func TestEndpoints(t *testing.T) {
	ctx := context.Background()
	delivered := time.Date(2026, 3, 4, 8, 30, 0, 0, time.UTC)
	cases := []struct {
		name   string
		call   func(c *Client) error
		method string
		path   string
		body   string // "" for none
		answer string
	}{
		{"save application", func(c *Client) error {
			_, err := c.SaveApplication(ctx, testID, filing.Application{Remarks: "r"})
			return err
		}, http.MethodPut, "/application", `{"subject":` + mustJSON(filing.Subject{}) + `,"websites":null,"product":` + mustJSON(filing.ProductVerification{}) + `,"remarks":"r"}`, filingJSON},
		{"attach material", func(c *Client) error {
			_, err := c.AttachMaterial(ctx, testID, filing.AttachMaterialRequest{Kind: filing.MaterialVerificationForm,
				ObjectKey: "filings/" + testID + "/m1", Size: 12, SHA256: "ab"})
			return err
		}, http.MethodPost, "/materials", `{"kind":"verification_form","object_key":"filings/` + testID + `/m1","size":12,"sha256":"ab"}`, filingJSON},
		{"presign upload", func(c *Client) error {
			up, err := c.PresignUpload(ctx, testID, filing.UploadRequest{Kind: "photo", ContentType: "image/jpeg", Size: 3, SHA256: "cd"})
			if err == nil && up.ObjectKey != "filings/k" {
				err = fmt.Errorf("object key %q", up.ObjectKey)
			}
			return err
		}, http.MethodPost, "/uploads", `{"kind":"photo","content_type":"image/jpeg","size":3,"sha256":"cd"}`,
			`{"url":"http://s3/x","method":"PUT","headers":{"Content-Type":"image/jpeg"},"object_key":"filings/k","expires_at":"2026-03-01T09:15:00Z"}`},
		{"mailing address", func(c *Client) error {
			_, err := c.SetMailingAddress(ctx, testID, filing.MailingAddress{
				Recipient: filing.Person{Name: "张三", Mobile: "13800000000"},
				Address:   filing.Address{Province: "ZJ", City: "杭州市", Detail: "文三路90号"}})
			return err
		}, http.MethodPost, "/mailing-address", mustJSON(filing.MailingAddress{
			Recipient: filing.Person{Name: "张三", Mobile: "13800000000"},
			Address:   filing.Address{Province: "ZJ", City: "杭州市", Detail: "文三路90号"}}), filingJSON},
		{"product", func(c *Client) error {
			_, err := c.VerifyProduct(ctx, testID, filing.VerifyProductRequest{Product: filing.Product{ServiceNumber: "SN1"}})
			return err
		}, http.MethodPost, "/product", `{"product":{"service_number":"SN1"}}`, filingJSON},
		{"submit", func(c *Client) error {
			_, err := c.Submit(ctx, testID)
			return err
		}, http.MethodPost, "/submit", `{}`, filingJSON},
		{"initial review", func(c *Client) error {
			_, err := c.DecideInitialReview(ctx, testID, filing.DecisionRequest{Approve: false, Reviewer: "staff-1",
				Reasons: []filing.Reason{{Field: "websites[0].name", Code: "name_unclear"}}})
			return err
		}, http.MethodPost, "/initial-review", `{"approve":false,"reviewer":"staff-1","reasons":[{"field":"websites[0].name","code":"name_unclear"}]}`, filingJSON},
		{"photo path", func(c *Client) error {
			_, err := c.ChoosePhotoPath(ctx, testID, filing.ChoosePhotoPathRequest{Mode: filing.PhotoProviderApp})
			return err
		}, http.MethodPost, "/photo-path", `{"mode":"provider_app"}`, filingJSON},
		{"photo", func(c *Client) error {
			_, err := c.AttachPhoto(ctx, testID, filing.UploadPhotoRequest{ObjectKey: "filings/p", Size: 5, SHA256: "ef"})
			return err
		}, http.MethodPost, "/photo", `{"object_key":"filings/p","size":5,"sha256":"ef"}`, filingJSON},
		{"photo review", func(c *Client) error {
			_, err := c.DecidePhotoReview(ctx, testID, filing.DecisionRequest{Approve: true, Reviewer: "staff-2"})
			return err
		}, http.MethodPost, "/photo-review", `{"approve":true,"reviewer":"staff-2"}`, filingJSON},
		{"verification result", func(c *Client) error {
			_, err := c.ReportVerificationResult(ctx, testID, filing.VerificationResultRequest{Passed: true})
			return err
		}, http.MethodPost, "/verification-result", `{"passed":true}`, filingJSON},
		{"courier event", func(c *Client) error {
			_, err := c.DeliverCourierEvent(ctx, testID, filing.ShipmentDeliveredRequest{TrackingNumber: "SF1", DeliveredAt: delivered})
			return err
		}, http.MethodPost, "/courier-events", `{"tracking_number":"SF1","delivered_at":"2026-03-04T08:30:00Z"}`, filingJSON},
		{"sms outcome", func(c *Client) error {
			_, err := c.DeliverSMSOutcome(ctx, testID, filing.SMSVerificationRequest{ReceiptID: "r1", Outcome: filing.SMSVerified})
			return err
		}, http.MethodPost, "/bureau-events/sms", `{"receipt_id":"r1","outcome":"verified"}`, filingJSON},
		{"bureau decision", func(c *Client) error {
			_, err := c.DeliverBureauDecision(ctx, testID, filing.BureauDecisionRequest{ReceiptID: "r1", Approved: true, FilingNumber: "浙ICP备1号-2"})
			return err
		}, http.MethodPost, "/bureau-events/decision", `{"receipt_id":"r1","approved":true,"filing_number":"浙ICP备1号-2"}`, filingJSON},
		{"cancel", func(c *Client) error {
			_, err := c.Cancel(ctx, testID, filing.CancelRequest{Reason: "user_request"})
			return err
		}, http.MethodPost, "/cancel", `{"reason":"user_request"}`, filingJSON},
		{"timeline", func(c *Client) error {
			tl, err := c.Timeline(ctx, testID)
			if err == nil && (len(tl.Events) != 1 || tl.Events[0].ToStage != filing.StageInformation || tl.Events[0].Reasons[0].Code != "x") {
				err = fmt.Errorf("timeline %+v", tl)
			}
			return err
		}, http.MethodGet, "/timeline", "",
			`{"filing_id":"` + testID + `","events":[{"seq":1,"at":"2026-03-01T09:00:00Z","actor":"reviewer:staff-1","action":"initial_review_decision","from_stage":"initial_review","to_stage":"information","reasons":[{"code":"x"}]}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
				writeJSON(w, http.StatusOK, tc.answer)
			})
			require.NoError(t, tc.call(c))
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.method, reqs[0].Method)
			assert.Equal(t, "/v1/filings/"+testID+tc.path, reqs[0].Path)
			if tc.body == "" {
				assert.Empty(t, reqs[0].Body)
				assert.Empty(t, reqs[0].Header.Get(HeaderIdempotencyKey))
				return
			}
			assert.JSONEq(t, tc.body, string(reqs[0].Body))
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.NotEmpty(t, reqs[0].Header.Get(HeaderIdempotencyKey), "every POST and PUT carries a key")
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestValidateApplication(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusOK, `{"valid":false,"violations":[{"code":"domain.tld_not_approved","field":"websites[0].domain",
			"message":{"zh":"域名后缀未批准","en":"TLD not approved"}}],"rule_set_version":"rs-1","checked_at":"2026-03-01T09:00:00Z"}`)
	})
	v, err := c.ValidateApplication(context.Background(), filing.Application{Websites: []filing.Website{{Domain: "example.invalid"}}})
	require.NoError(t, err)
	assert.Equal(t, "/v1/filings/validate", f.requests()[0].Path)
	assert.False(t, v.Valid)
	require.Len(t, v.Violations, 1)
	assert.Equal(t, "websites[0].domain", v.Violations[0].Field)
	assert.Equal(t, "TLD not approved", v.Violations[0].Message.EN)
	assert.Equal(t, "rs-1", v.RuleSetVersion)
}

func TestFilingIDIsCheckedAndEscaped(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) { writeJSON(w, 200, filingJSON) })
	_, err := c.Submit(context.Background(), "")
	require.Error(t, err)
	assert.Empty(t, f.requests())

	_, err = c.GetFiling(context.Background(), "../healthz")
	require.NoError(t, err)
	require.Len(t, f.requests(), 1)
	assert.Equal(t, "/v1/filings/..%2Fhealthz", f.requests()[0].EscapedPath, "an ID cannot address another endpoint")
}

func TestResetFiling(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n > 1 {
			writeJSON(w, http.StatusConflict, apiError(filing.CodeStageNotReached, "to_stage", "the filing has never been in that stage"))
			return
		}
		writeJSON(w, http.StatusOK, `{"filing_id":"`+testID+`","to_stage":"photo_verification","event_id":118,"run_id":"run-2",
			"redelivered":[{"action":"upload_photo","at":"2026-11-06T09:02:11Z","kept":false,"refusal":"uploading the photo refused"}],
			"dropped":[{"action":"photo_review_decision","at":"2026-11-06T10:45:03Z","kept":false}]}`)
	})
	ctx := context.Background()
	res, err := c.ResetFiling(ctx, testID, filing.ResetRequest{ToStage: filing.StagePhotoVerification, Reason: "INC-2231"})
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/support/filings/"+testID+"/reset", reqs[0].Path)
	assert.JSONEq(t, `{"to_stage":"photo_verification","reason":"INC-2231"}`, string(reqs[0].Body))
	assert.NotEmpty(t, reqs[0].Header.Get(HeaderIdempotencyKey), "a retried reset resets once")
	assert.Equal(t, filing.StagePhotoVerification, res.ToStage)
	assert.Equal(t, int64(118), res.EventID)
	assert.Equal(t, "run-2", res.RunID)
	require.Len(t, res.Redelivered, 1)
	assert.Equal(t, filing.ResetAction{Action: "upload_photo", At: time.Date(2026, 11, 6, 9, 2, 11, 0, time.UTC),
		Refusal: "uploading the photo refused"}, res.Redelivered[0])
	require.Len(t, res.Dropped, 1)
	assert.Equal(t, "photo_review_decision", res.Dropped[0].Action)

	_, err = c.ResetFiling(ctx, testID, filing.ResetRequest{ToStage: filing.StageBureauReview, Reason: "x"})
	assert.True(t, IsCode(err, filing.CodeStageNotReached), "%v", err)
	assert.Len(t, f.requests(), 2, "a 409 refusal is not retried")

	_, err = c.ResetFiling(ctx, "", filing.ResetRequest{})
	require.Error(t, err)
	assert.Len(t, f.requests(), 2)
	assert.Contains(t, filing.ResettableStages(), filing.StageBureauReview)
	assert.NotContains(t, filing.ResettableStages(), filing.StageApproved)
}

func TestIdempotencyKeyIsReusedAfter503(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n < 3 {
			writeJSON(w, http.StatusServiceUnavailable, apiError(filing.CodeUnavailable, "", "the workflow service is unavailable; retry later"))
			return
		}
		writeJSON(w, http.StatusOK, filingJSON)
	})
	var meta Meta
	_, err := c.Submit(context.Background(), testID, Into(&meta))
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 3, "two retries by default")
	key := reqs[0].Header.Get(HeaderIdempotencyKey)
	_, perr := uuid.Parse(key)
	require.NoError(t, perr)
	for _, r := range reqs {
		assert.Equal(t, key, r.Header.Get(HeaderIdempotencyKey), "one key per logical call")
		assert.Equal(t, `{}`, string(r.Body), "the same bytes every time")
	}
	assert.Equal(t, Meta{Status: 200, RequestID: "req-3", IdempotencyKey: key, Attempts: 3}, meta)

	// A second logical call gets a key of its own.
	_, err = c.Submit(context.Background(), testID)
	require.NoError(t, err)
	assert.NotEqual(t, key, f.requests()[3].Header.Get(HeaderIdempotencyKey))
}

func TestCallersIdempotencyKeyIsSent(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) { writeJSON(w, 200, filingJSON) })
	_, err := c.SaveApplication(context.Background(), testID, filing.Application{}, IdempotencyKey("order-42/save-3"))
	require.NoError(t, err)
	assert.Equal(t, "order-42/save-3", f.requests()[0].Header.Get(HeaderIdempotencyKey))
}

// A backend that learns of changes from events asks an action for no
// state: the client says so, and the taken action returns no view; without
// the option the same server's state is decoded as before.
func TestMinimalAsksForNoStateAndReturnsNoView(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		if r.Header.Get("Prefer") == "return=minimal" {
			w.Header().Set("Preference-Applied", "return=minimal")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, 200, filingJSON)
	})
	v, err := c.Submit(context.Background(), testID, Minimal())
	require.NoError(t, err)
	assert.Nil(t, v, "no state asked for, none returned")
	assert.Equal(t, "return=minimal", f.requests()[0].Header.Get("Prefer"))
	v, err = c.Submit(context.Background(), testID)
	require.NoError(t, err)
	require.NotNil(t, v)
	assert.Equal(t, filing.ID(testID), v.FilingID)
	assert.Empty(t, f.requests()[1].Header.Get("Prefer"))
}

// idempotentServer mimics the server's idempotency: the first request of a
// key acts and stores its answer; a later one with the same key and body
// gets that answer replayed, with another body 422 idempotency_key_reused.
type idempotentServer struct {
	mu     sync.Mutex
	acted  int
	stored map[string][2]string // key → body, answer
	keys   []string
	// loseFirstAnswer closes the connection instead of answering the
	// first request, after acting on it: a lost answer.
	loseFirstAnswer bool
}

func (s *idempotentServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get(HeaderIdempotencyKey)
	s.mu.Lock()
	s.keys = append(s.keys, key)
	prev, seen := s.stored[key]
	if !seen {
		s.acted++
		s.stored[key] = [2]string{string(body), filingJSON}
	}
	lose := s.loseFirstAnswer && len(s.keys) == 1
	s.mu.Unlock()
	switch {
	case lose:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	case seen && prev[0] != string(body):
		writeJSON(w, http.StatusUnprocessableEntity, apiError(filing.CodeIdempotencyKeyReused, "", "the key was used with another body"))
	case seen:
		w.Header().Set(HeaderIdempotentReplayed, "true")
		writeJSON(w, http.StatusOK, prev[1])
	default:
		writeJSON(w, http.StatusOK, filingJSON)
	}
}

func TestIdempotencyKeyIsReusedAfterANetworkError(t *testing.T) {
	s := &idempotentServer{stored: map[string][2]string{}, loseFirstAnswer: true}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := fastRetries(New(srv.URL, "key-reviewer-1"))

	var meta Meta
	got, err := c.DecideInitialReview(context.Background(), testID,
		filing.DecisionRequest{Approve: true, Reviewer: "staff-1"}, Into(&meta))
	require.NoError(t, err)
	assert.Equal(t, filing.ID(testID), got.FilingID)

	s.mu.Lock()
	defer s.mu.Unlock()
	require.GreaterOrEqual(t, len(s.keys), 2, "the lost answer was retried")
	for _, k := range s.keys {
		assert.Equal(t, s.keys[0], k, "the retry carries the first request's key")
	}
	assert.Equal(t, 1, s.acted, "the decision was made once")
	assert.True(t, meta.Replayed, "the answer is the first request's, replayed")
	assert.Equal(t, s.keys[0], meta.IdempotencyKey)
	assert.Equal(t, len(s.keys), meta.Attempts)
}

func TestRetryAfterATimeoutWaitsForTheFirstAttempt(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	release := make(chan struct{})
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		mu.Lock()
		keys = append(keys, r.Header.Get(HeaderIdempotencyKey))
		mu.Unlock()
		switch n {
		case 1: // slower than the client waits: the attempt times out
			<-release
		case 2: // the server's answer while the first request still runs
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusConflict, apiError(filing.CodeIdempotencyInProgress, "Idempotency-Key", "still being handled"))
			close(release)
		default:
			w.Header().Set(HeaderIdempotentReplayed, "true")
			writeJSON(w, http.StatusOK, filingJSON)
		}
	}, WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))

	var meta Meta
	_, err := c.Submit(context.Background(), testID, Into(&meta))
	require.NoError(t, err)
	assert.Equal(t, 3, meta.Attempts)
	assert.True(t, meta.Replayed)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, keys, 3)
	assert.Equal(t, []string{keys[0], keys[0], keys[0]}, keys)
}

func TestNetworkFailureWithoutServerGivesUpAfterRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	c := fastRetries(New("http://"+addr, "k", WithRetries(3)))
	var meta Meta
	_, err = c.GetFiling(context.Background(), testID, Into(&meta))
	require.Error(t, err)
	var apiErr *Error
	assert.False(t, errors.As(err, &apiErr), "no answer, no *Error")
	assert.Equal(t, 4, meta.Attempts)
	assert.Equal(t, 0, meta.Status)
	assert.Contains(t, err.Error(), "GET /v1/filings/"+testID)
}

func TestRetryAfterIsHonoured(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, apiError(filing.CodeRateLimited, "", "slow down"))
			return
		}
		writeJSON(w, http.StatusOK, filingJSON)
	})
	start := time.Now()
	_, err := c.Cancel(context.Background(), testID, filing.CancelRequest{Reason: "user_request"})
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited as long as the server asked, not the 5 ms backoff")
	assert.Equal(t, reqs[0].Header.Get(HeaderIdempotencyKey), reqs[1].Header.Get(HeaderIdempotencyKey))
}

func TestRetryAfterLongerThanTheCapIsLeftToTheCaller(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		w.Header().Set("Retry-After", "120")
		writeJSON(w, http.StatusTooManyRequests, apiError(filing.CodeRateLimited, "", "slow down"))
	})
	start := time.Now()
	_, err := c.GetFiling(context.Background(), testID)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Len(t, f.requests(), 1)
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 120*time.Second, apiErr.RetryAfter)
	assert.True(t, IsCode(err, filing.CodeRateLimited))
}

func TestClientErrorIsNotRetriedAndIsDecoded(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusBadRequest, apiError(filing.CodeInvalidValue, "subject.province",
			"subject.province must be an ISO 3166-2:CN code such as ZJ or CN-ZJ"))
	})
	var meta Meta
	_, err := c.CreateFiling(context.Background(), filing.CreateRequest{AccountID: "acc-1",
		Subject: filing.SubjectIdentity{Province: "XX", CertificateNumber: "110101199003074514"}}, Into(&meta))
	require.Error(t, err)
	assert.Len(t, f.requests(), 1, "a 400 is the answer; repeating the request cannot change it")

	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Equal(t, filing.CodeInvalidValue, apiErr.Code)
	assert.Equal(t, "subject.province", apiErr.Field)
	assert.Equal(t, "req-1", apiErr.RequestID)
	assert.True(t, IsCode(err, filing.CodeInvalidValue))
	assert.False(t, IsCode(err, filing.CodeRequired))
	assert.False(t, IsCode(errors.New("other"), filing.CodeInvalidValue))

	msg := err.Error()
	for _, want := range []string{"POST /v1/filings", "400", filing.CodeInvalidValue, "subject.province", "req-1"} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "110101199003074514", "the request body never appears in errors")
	assert.Equal(t, 400, meta.Status)
	assert.Equal(t, 1, meta.Attempts)
}

func TestApplicationInvalidCarriesViolations(t *testing.T) {
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusUnprocessableEntity, `{"code":"application_invalid","field":"subject.name",
			"message":"the application breaks 2 rule(s); see details","details":[
			{"code":"required","field":"subject.name","message":{"zh":"必填","en":"required"}},
			{"code":"domain.tld_not_approved","field":"websites[0].domain","message":{"zh":"","en":""}}]}`)
	})
	_, err := c.SaveApplication(context.Background(), testID, filing.Application{})
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, filing.CodeApplicationInvalid, apiErr.Code)
	vs := apiErr.Violations()
	require.Len(t, vs, 2)
	assert.Equal(t, "websites[0].domain", vs[1].Field)
}

func TestNonJSONErrorBodyIsAnError(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
	}, WithRetries(1))
	_, err := c.GetFiling(context.Background(), testID)
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusBadGateway, apiErr.Status)
	assert.Empty(t, apiErr.Code)
	assert.Contains(t, apiErr.Message, "Bad Gateway")
	assert.Len(t, f.requests(), 2, "a 502 is retried")
	assert.Contains(t, err.Error(), "after 2 attempt(s)")
}

func TestContextCancellationStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		// The caller gives up while the client waits to retry.
		time.AfterFunc(100*time.Millisecond, cancel)
		writeJSON(w, http.StatusServiceUnavailable, apiError(filing.CodeUnavailable, "", "down"))
	}, WithRetries(5))
	c.backoffBase, c.backoffCap = 10*time.Second, 10*time.Second // would wait long without the context

	start := time.Now()
	_, err := c.Submit(ctx, testID)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, IsCode(err, filing.CodeUnavailable), "the last failure is kept")
	assert.Len(t, f.requests(), 1)
}

func TestNoRetryThatCannotFinishBeforeTheDeadline(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusServiceUnavailable, apiError(filing.CodeUnavailable, "", "down"))
	})
	c.backoffBase, c.backoffCap = 10*time.Second, 10*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetFiling(ctx, testID)
	assert.True(t, IsCode(err, filing.CodeUnavailable))
	assert.Less(t, time.Since(start), time.Second, "returns at once instead of sleeping into the deadline")
	assert.Len(t, f.requests(), 1)
}

func TestFilingsIteratorWalksEveryPage(t *testing.T) {
	pages := map[string]string{
		"":   `{"items":[{"filing_id":"f1","stage":"initial_review"},{"filing_id":"f2"}],"next_cursor":"c2"}`,
		"c2": `{"items":[{"filing_id":"f3"},{"filing_id":"f4","since":"2026-03-01T09:00:00Z","deadline_business_days":1,"overdue":true}],"next_cursor":"c3"}`,
		"c3": `{"items":[{"filing_id":"f5"}]}`,
	}
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusOK, pages[r.URL.Query().Get("cursor")])
	})
	overdue := true
	params := ListFilingsParams{
		Stages:      []filing.Stage{filing.StageInitialReview, filing.StagePhotoVerification},
		WaitingOn:   filing.PartyReviewer,
		Overdue:     &overdue,
		CreatedFrom: time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		Sort:        SortDeadlineDesc,
		Limit:       2,
		AccountID:   "acc-1",
	}
	var ids []string
	for s, err := range c.Filings(context.Background(), params) {
		require.NoError(t, err)
		ids = append(ids, string(s.FilingID))
		if s.FilingID == "f4" {
			assert.True(t, s.Overdue)
			require.NotNil(t, s.Since)
			assert.Equal(t, 1, s.DeadlineBusinessDays)
		}
	}
	assert.Equal(t, []string{"f1", "f2", "f3", "f4", "f5"}, ids)

	reqs := f.requests()
	require.Len(t, reqs, 3, "stops after the page without next_cursor")
	for i, cursor := range []string{"", "c2", "c3"} {
		assert.Equal(t, "/v1/filings", reqs[i].Path)
		got, err := url.ParseQuery(reqs[i].RawQuery)
		require.NoError(t, err)
		assert.Equal(t, cursor, got.Get("cursor"))
		assert.Equal(t, "initial_review,photo_verification", got.Get("stage"))
		assert.Equal(t, "reviewer", got.Get("waiting_on"))
		assert.Equal(t, "true", got.Get("overdue"))
		assert.Equal(t, "2026-03-01T00:00:00Z", got.Get("created_from"))
		assert.Equal(t, "-deadline", got.Get("sort"))
		assert.Equal(t, "2", got.Get("limit"))
		assert.Equal(t, "acc-1", got.Get("account_id"))
		assert.False(t, got.Has("closed"), "unset filters are not sent")
		assert.False(t, got.Has("province"))
	}

	// Breaking out of the loop fetches nothing more.
	for range c.Filings(context.Background(), params) {
		break
	}
	assert.Len(t, f.requests(), 4)
}

func TestFilingsIteratorStopsAtAnError(t *testing.T) {
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			writeJSON(w, http.StatusOK, `{"items":[{"filing_id":"f1"}],"next_cursor":"c2"}`)
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError(filing.CodeInvalidCursor, "cursor", "the cursor has expired"))
	})
	var ids []string
	var errs []error
	for s, err := range c.Filings(context.Background(), ListFilingsParams{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, string(s.FilingID))
	}
	assert.Equal(t, []string{"f1"}, ids)
	require.Len(t, errs, 1)
	assert.True(t, IsCode(errs[0], filing.CodeInvalidCursor))
}

func TestReviewQueue(t *testing.T) {
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			writeJSON(w, http.StatusOK, `{"items":[{"filing_id":"f1","stage":"initial_review","step":"awaiting_reviewer",
				"waiting_on":"reviewer","waited_business_days":2,"waited_hours":30}],"next_cursor":"c2"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"items":[{"filing_id":"f2"}]}`)
	})
	page, err := c.ReviewQueue(context.Background(), filing.QueueInitial, 10, "c1")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, filing.ID("f1"), page.Items[0].FilingID)
	assert.Equal(t, filing.PartyReviewer, page.Items[0].WaitingOn)
	require.NotNil(t, page.Items[0].WaitedBusinessDays)
	require.NotNil(t, page.Items[0].WaitedHours)
	assert.Equal(t, 2, *page.Items[0].WaitedBusinessDays)
	assert.Equal(t, 30, *page.Items[0].WaitedHours)
	assert.Equal(t, "c2", page.NextCursor)
	r := f.requests()[0]
	assert.Equal(t, "/v1/review-queues/initial", r.Path)
	assert.Equal(t, "cursor=c1&limit=10", r.RawQuery)

	var ids []string
	for it, err := range c.ReviewQueueItems(context.Background(), filing.QueuePhoto, 0) {
		require.NoError(t, err)
		ids = append(ids, string(it.FilingID))
	}
	assert.Equal(t, []string{"f2"}, ids)
	assert.Equal(t, "/v1/review-queues/photo", f.requests()[1].Path)
	assert.Empty(t, f.requests()[1].RawQuery)
}

func TestOpenAPIIsReturnedRaw(t *testing.T) {
	const spec = `{"openapi":"3.1.0","info":{"title":"beianflow"}}`
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) { writeJSON(w, http.StatusOK, spec) })
	got, err := c.OpenAPI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, spec, string(got))
	assert.Equal(t, "/v1/openapi.json", f.requests()[0].Path)
	assert.Equal(t, "Bearer key-test-1", f.requests()[0].Header.Get("Authorization"))
}

func TestUploadMaterialPutsToTheStoreWithoutTheAPIKey(t *testing.T) {
	content := []byte("%PDF-1.7 verification form")
	var s3Req recorded
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s3Req = recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, r.URL.EscapedPath()}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s3.Close)
	c, f := serve(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
		writeJSON(w, http.StatusCreated, `{"url":"`+s3.URL+`/beianflow-documents/filings/`+testID+`/m1?X-Amz-Signature=abc","method":"PUT",
			"headers":{"Content-Type":"application/pdf","x-amz-checksum-sha256":"c2hh"},"object_key":"filings/`+testID+`/m1",
			"expires_at":"2026-03-01T09:15:00Z"}`)
	})
	up, err := c.UploadMaterial(context.Background(), testID, filing.MaterialVerificationForm, "application/pdf", content)
	require.NoError(t, err)
	assert.Equal(t, "filings/"+testID+"/m1", up.ObjectKey)

	var presign map[string]any
	require.NoError(t, json.Unmarshal(f.requests()[0].Body, &presign))
	assert.Equal(t, "/v1/filings/"+testID+"/uploads", f.requests()[0].Path)
	assert.Equal(t, float64(len(content)), presign["size"])
	assert.Len(t, presign["sha256"], 64)

	assert.Equal(t, http.MethodPut, s3Req.Method)
	assert.Equal(t, "X-Amz-Signature=abc", s3Req.RawQuery)
	assert.Equal(t, content, s3Req.Body)
	assert.Equal(t, "application/pdf", s3Req.Header.Get("Content-Type"))
	assert.Equal(t, "c2hh", s3Req.Header.Get("x-amz-checksum-sha256"))
	assert.Empty(t, s3Req.Header.Get("Authorization"), "the API key never goes to the store")
	assert.Empty(t, s3Req.Header.Get(HeaderIdempotencyKey))

	att := AttachRequest(filing.MaterialVerificationForm, up, content)
	assert.Equal(t, presign["sha256"], att.SHA256)
	assert.Equal(t, int64(len(content)), att.Size)
}
