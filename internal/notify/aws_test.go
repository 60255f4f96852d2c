package notify_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// reply is one scripted answer of fakeAWS.
type reply struct {
	status int
	header map[string]string
	body   string
}

// request is what fakeAWS received.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// fakeAWS speaks enough of an AWS API over HTTP for one call to complete:
// the SDK signs, serialises and parses for real, and the test sees the
// request as AWS would. It answers every request with the current reply.
type fakeAWS struct {
	mu       sync.Mutex
	answer   reply
	requests []request
	url      string
}

func newFakeAWS(t *testing.T, answer reply) *fakeAWS {
	t.Helper()
	f := &fakeAWS{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, request{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		a := f.answer
		f.mu.Unlock()
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeAWS) reply(a reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = a
}

func (f *fakeAWS) received() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// awsConfig has static credentials and no SDK retries, so each Send is one
// request and a 503 comes back at once.
func awsConfig() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", ""),
		RetryMaxAttempts: 1,
	}
}

func snsClient(endpoint string) *sns.Client {
	return sns.NewFromConfig(awsConfig(), func(o *sns.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func sesClient(endpoint string) *sesv2.Client {
	return sesv2.NewFromConfig(awsConfig(), func(o *sesv2.Options) { o.BaseEndpoint = aws.String(endpoint) })
}
