// Package idempotency makes a POST or PUT with an Idempotency-Key happen
// once: backends retry on timeouts and must not create a filing twice or
// act on one twice. Responses are kept in store.Idempotency, so a repeat
// served by another API process gets the same answer.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
)

// abandonedAfter is when a request still marked in progress is taken to
// have died with its process: longer than any request may run (the
// server's write timeout is 60 s).
const abandonedAfter = 2 * time.Minute

// Guard stores and replays the responses of requests with an
// Idempotency-Key.
type Guard struct {
	store *store.Idempotency
	// ttl is how long responses are replayed.
	ttl time.Duration
	now func() time.Time
	log *slog.Logger
}

// New returns a guard over st that replays responses for ttl.
func New(st *store.Idempotency, ttl time.Duration, now func() time.Time, log *slog.Logger) *Guard {
	return &Guard{store: st, ttl: ttl, now: now, log: log}
}

// Middleware makes a POST or PUT with an Idempotency-Key happen once: the
// first response is stored, a repeat with the same body gets it again, a
// repeat with another body is refused with 422. Server-side failures (5xx,
// 429) are not stored, so the caller's retry with the same key runs again;
// actions are safe to run again because the key is also the workflow
// update ID. Keys are scoped by the caller's API key, so it runs after
// authentication.
func (g *Guard) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		key := req.Header.Get("Idempotency-Key")
		if key == "" || (req.Method != http.MethodPost && req.Method != http.MethodPut) {
			return next(c)
		}
		if !validKey(key) {
			return httpx.BadRequest(filing.CodeInvalidIdempotencyKey, "Idempotency-Key", "Idempotency-Key must be 1-255 printable ASCII characters without spaces")
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return httpx.JSONError(err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		now := g.now().UTC()
		rec := store.IdempotencyRecord{
			// The escaped path: a decoded one may hold NUL, which
			// PostgreSQL refuses in text.
			APIKeyID: auth.PrincipalOf(c).KeyID, IdemKey: key, Method: req.Method, Path: req.URL.EscapedPath(),
			BodySHA256: hex.EncodeToString(sum[:]), CreatedAt: now,
		}
		ctx := req.Context()
		cur, claimed, err := g.store.Claim(ctx, rec, now.Add(-g.ttl))
		if err == nil && !claimed && cur.Status == 0 && now.Sub(cur.CreatedAt) > abandonedAfter && sameRequest(cur, rec) {
			if err = g.store.Release(ctx, cur.APIKeyID, cur.IdemKey); err == nil {
				cur, claimed, err = g.store.Claim(ctx, rec, now.Add(-g.ttl))
			}
		}
		if err != nil {
			g.log.ErrorContext(ctx, "idempotency store", "err", err)
			return httpx.Unavailable("the database")
		}
		if !claimed {
			return replay(c, cur, rec)
		}
		return g.runOnce(c, next, rec)
	}
}

func sameRequest(a, b store.IdempotencyRecord) bool {
	return a.Method == b.Method && a.Path == b.Path && a.BodySHA256 == b.BodySHA256
}

func replay(c echo.Context, cur, rec store.IdempotencyRecord) error {
	if !sameRequest(cur, rec) {
		return &httpx.Error{Status: http.StatusUnprocessableEntity, Code: filing.CodeIdempotencyKeyReused, Field: "Idempotency-Key",
			Message: "this Idempotency-Key was used for a different request; use a new key for a new request"}
	}
	if cur.Status == 0 {
		c.Response().Header().Set("Retry-After", "1")
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeIdempotencyInProgress, Field: "Idempotency-Key",
			Message: "a request with this Idempotency-Key is still being handled; retry shortly"}
	}
	h := c.Response().Header()
	h.Set("Idempotent-Replayed", "true")
	if cur.Location != "" {
		h.Set(echo.HeaderLocation, cur.Location)
	}
	return c.Blob(cur.Status, cur.ContentType, cur.Response)
}

// runOnce runs the handler, capturing its response, and stores it.
func (g *Guard) runOnce(c echo.Context, next echo.HandlerFunc, rec store.IdempotencyRecord) error {
	res := c.Response()
	tee := &teeWriter{ResponseWriter: res.Writer}
	res.Writer = tee
	err := next(c)
	if err != nil {
		c.Error(err) // render now, so the stored body is the one the caller got
	}
	res.Writer = tee.ResponseWriter
	ctx := context.WithoutCancel(c.Request().Context())
	if res.Status >= 500 || res.Status == http.StatusTooManyRequests || !res.Committed {
		if rerr := g.store.Release(ctx, rec.APIKeyID, rec.IdemKey); rerr != nil {
			g.log.ErrorContext(ctx, "release idempotency key", "err", rerr)
		}
		return nil
	}
	rec.Status = res.Status
	rec.ContentType = res.Header().Get(echo.HeaderContentType)
	rec.Location = res.Header().Get(echo.HeaderLocation)
	rec.Response = tee.buf.Bytes()
	if cerr := g.store.Complete(ctx, rec); cerr != nil {
		// The caller has its answer; a repeat will see "in progress" until
		// the record is abandoned, then run again (and the action's update
		// ID keeps that from acting twice).
		g.log.ErrorContext(ctx, "store idempotent response", "err", cerr)
	}
	return nil
}

// teeWriter copies what the handler writes.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// validKey reports whether k may be an Idempotency-Key: 1-255 printable
// ASCII characters without spaces, so that it can be stored and logged as
// it is.
func validKey(k string) bool {
	if len(k) < 1 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
