package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Balancer is the load balancer in front of the API processes, as a
// provider has one: round robin over the backends, and a request whose
// connection a backend refuses goes to the next one (it never reached a
// handler, so resending it is safe whatever its method). A request that may
// be sent twice (a read, or an action with an Idempotency-Key, which the API
// answers once) also goes to the next backend when its connection broke
// before any answer: a backend shutting down closes its idle connections,
// and one the balancer was reusing at that moment fails. A backend that
// failed so is skipped for a second. It counts the status of every answer,
// for tests that must see no 500.
type Balancer struct {
	backends []*backend
	next     atomic.Uint64
	srv      *http.Server
	ln       net.Listener

	mu       sync.Mutex
	statuses map[int]int
	failures []string // why the balancer itself answered 502, the latest last
}

type backend struct {
	url       *url.URL
	proxy     *httputil.ReverseProxy
	downUntil atomic.Int64 // unix nanos
}

// StatusClientClosed is what the balancer counts for a request whose client
// went away before the answer, as nginx logs it (499).
const StatusClientClosed = 499

// errRefused marks a backend that did not take the connection.
var errRefused = errors.New("backend refused the connection")

// NewBalancer listens on listen and forwards to the backends' base URLs.
func NewBalancer(listen string, backends []string) (*Balancer, error) {
	b := &Balancer{statuses: map[int]int{}}
	for _, raw := range backends {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("cluster: balancer backend %q: %w", raw, err)
		}
		be := &backend{url: u}
		transport := &http.Transport{
			DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
				c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, network, address)
				if err != nil {
					return nil, fmt.Errorf("%w: %w", errRefused, err)
				}
				return c, nil
			},
			MaxIdleConnsPerHost: 32,
			IdleConnTimeout:     30 * time.Second,
		}
		be.proxy = &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(u)
				r.SetXForwarded()
			},
			Transport: transport,
			// The error handler is replaced per request (ServeHTTP).
		}
		b.backends = append(b.backends, be)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("cluster: balancer: listen on %s: %w", listen, err)
	}
	b.ln = ln
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// URL is the balancer's base URL.
func (b *Balancer) URL() string { return "http://" + b.ln.Addr().String() }

// Close stops the balancer.
func (b *Balancer) Close() error { return b.srv.Close() }

// Statuses are the counts of the statuses answered so far, the
// balancer's own 502 (no backend took the request) included.
func (b *Balancer) Statuses() map[int]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[int]int, len(b.statuses))
	for k, v := range b.statuses {
		out[k] = v
	}
	return out
}

func (b *Balancer) count(status int) {
	b.mu.Lock()
	b.statuses[status]++
	b.mu.Unlock()
}

// ServeHTTP sends r to the backends in turn until one takes the
// connection. A body is buffered only when there is a next backend to try,
// which needs it again: the API's bodies are small JSON documents (uploads
// go to S3 directly).
func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := b.next.Add(1)
	n := uint64(len(b.backends))
	var body []byte
	if r.Body != nil && r.ContentLength != 0 {
		buf, err := readAllLimited(r, 16<<20)
		if err != nil {
			b.count(http.StatusBadRequest)
			http.Error(w, "request body unreadable", http.StatusBadRequest)
			return
		}
		body = buf
	}
	now := time.Now().UnixNano()
	for i := range n {
		be := b.backends[(start+i)%n]
		if be.downUntil.Load() > now && i+1 < n {
			continue
		}
		refused := false
		rec := &statusRecorder{ResponseWriter: w}
		proxy := *be.proxy
		proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
			if errors.Is(err, errRefused) || (resendable(r) && rec.code == 0) {
				refused = true
				return
			}
			if r.Context().Err() != nil {
				// The client gave up waiting (a partner's push has a
				// timeout of its own): nobody reads this answer, and it
				// says nothing of the API.
				w.WriteHeader(StatusClientClosed)
				return
			}
			b.failed(r, be, err)
			w.WriteHeader(http.StatusBadGateway)
		}
		req := r.Clone(r.Context())
		if body != nil {
			req.Body = newBody(body)
		}
		proxy.ServeHTTP(rec, req)
		if refused {
			be.downUntil.Store(time.Now().Add(time.Second).UnixNano())
			continue
		}
		b.count(rec.status())
		return
	}
	b.failed(r, nil, errors.New("no API process took the request"))
	b.count(http.StatusBadGateway)
	http.Error(w, "no API process took the request", http.StatusBadGateway)
}

// maxFailures is how many of its own 502s the balancer describes.
const maxFailures = 20

func (b *Balancer) failed(r *http.Request, be *backend, err error) {
	to := "-"
	if be != nil {
		to = be.url.Host
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, fmt.Sprintf("%s %s → %s: %v", r.Method, r.URL.Path, to, err))
	if len(b.failures) > maxFailures {
		b.failures = b.failures[1:]
	}
}

// Failures describes the balancer's own 502s (the request, the backend and
// the error), the latest last: what a test that must see none prints.
func (b *Balancer) Failures() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.failures...)
}

// resendable reports whether r may reach the API twice: a read, or an
// action the API deduplicates by its Idempotency-Key.
func resendable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return r.Header.Get("Idempotency-Key") != ""
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

// WriteHeader remembers the first status written.
func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write counts as a 200 when no status was written.
func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Flush lets streamed answers through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

func readAllLimited(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errors.New("request body too large")
	}
	return b, nil
}

func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
