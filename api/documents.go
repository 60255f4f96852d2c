package api

import (
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/httpx"
)

// newDownloadSigner signs documents' download URLs with the configured
// secret, or with a random one when there is none (development: a URL
// then works only on the process that made it).
func newDownloadSigner(d Deps) *documents.DownloadSigner {
	key := []byte(d.API.DownloadSecret)
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		if d.Log != nil {
			d.Log.Warn("BEIANFLOW_DOWNLOAD_URL_SECRET is not set; document download URLs work only on the API process that made them")
		}
	}
	signer, err := documents.NewDownloadSigner(key, d.API.DownloadTTL, d.Now)
	if err != nil {
		panic(err) // configuration is checked when it is loaded: this is our bug
	}
	return signer
}

// downloadURL is the API's URL of the document at key, on the public URL
// or, without one, the host the request named.
func (s *server) downloadURL(c echo.Context, key string) (string, time.Time) {
	token, expires := s.downloads.Sign(key)
	base := s.API.PublicURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + "/v1/documents/" + token, expires.UTC()
}

// downloadDocument answers GET /v1/documents/{token}: the plaintext of one
// sealed document, decrypted as it streams. The token is the credential;
// the read was recorded when it was issued.
func (s *server) downloadDocument(c echo.Context) error {
	key, err := s.downloads.Verify(c.Param("token"))
	switch {
	case errors.Is(err, documents.ErrDownloadExpired):
		return &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeDownloadURLExpired,
			Message: "the download URL has expired; list the filing's materials again for a new one"}
	case err != nil:
		return &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeDownloadURLInvalid,
			Message: "the download URL was not signed by this system; list the filing's materials again for a new one"}
	}
	ctx := c.Request().Context()
	id, _, _ := strings.Cut(strings.TrimPrefix(key, "filings/"), "/")
	if s.erased(ctx, filing.ID(id)) {
		return personalDataErased()
	}
	body, doc, err := s.Documents.Open(ctx, key)
	if errors.Is(err, envelope.ErrErased) {
		return personalDataErased()
	}
	if err != nil {
		return httpx.Unavailable("the document store")
	}
	defer func() { _ = body.Close() }()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, doc.ContentType)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(doc.Size, 10))
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The API's own CSP (default-src 'none') would keep a browser's PDF
	// viewer from showing the document when the URL is opened; what is
	// served here is only a verified PDF, JPEG or PNG, never HTML.
	h.Del("Content-Security-Policy")
	c.Response().WriteHeader(http.StatusOK)
	// A chunk that fails to decrypt ends the body short of its length,
	// which every client reports as an error; nothing unauthenticated is
	// sent after it.
	if _, err := io.Copy(c.Response(), body); err != nil {
		s.Log.WarnContext(ctx, "document download ended early", "filing_id", id, "err", err)
	}
	return nil
}
