// Package workbench is the reviewers' web page: the initial-review and
// photo-review queues, a filing beside its materials and the automated
// checks' findings, and claim, approve and reject with the catalogue's
// reasons. It is rendered on the server from Go templates, with one small
// script of its own for keyboard shortcuts, under a strict Content
// Security Policy. Reviewers sign in through the operators' OIDC issuer;
// `beianflow dev` prints a development sign-in link instead.
//
// The package holds the web plumbing (sessions, sign-in, CSRF, pages); what
// it shows and does goes through Reviews, which the API implements with the
// same code its JSON routes use, so a decision made here is checked,
// claimed and audited exactly as one made through /v1.
package workbench

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Reviews is what the workbench reads and does, for the reviewer the
// request's auth.Principal names. Errors that are the reviewer's to fix are
// *httpx.Error, shown on the page in the reviewer's language.
type Reviews interface {
	// Queue is the queue's first page, longest waiting first.
	Queue(c echo.Context, q filing.Queue) ([]filing.QueuedRow, error)
	// Filing is everything the review of a filing shows; reading it is
	// recorded in the filing's access log.
	Filing(c echo.Context, id filing.ID) (Filing, error)
	// Document is the filing's n-th material (Filing.Materials order);
	// reading it is recorded in the access log.
	Document(c echo.Context, id filing.ID, n int) (Document, error)
	// Claim claims the filing for the reviewer, or renews their claim.
	Claim(c echo.Context, id filing.ID) error
	// Release ends the reviewer's claim.
	Release(c echo.Context, id filing.ID) error
	// Decide sends the reviewer's decision on the queue the filing is in.
	Decide(c echo.Context, id filing.ID, req filing.DecisionRequest) error
}

// Filing is one filing as the review page shows it.
type Filing struct {
	State filing.State
	// Queue is the review queue the filing waits in; empty when it waits
	// for no reviewer.
	Queue filing.Queue
	// Claim is who holds the filing, nil when nobody does.
	Claim *filing.ReviewClaim
	// Application is the current revision with what changed since the
	// last rejection; nil before one is saved.
	Application *filing.ApplicationRead
	// Fields are the revision's values by JSON path, in form order.
	Fields []Field
	// Materials are the attached materials and verification photos, in
	// the order Reviews.Document numbers them (no download URLs: the page
	// serves them itself).
	Materials []filing.MaterialRead
	// Findings are the automated checks applied again to the current
	// revision, and Required the materials the rules ask for.
	Findings       []filing.Violation
	Required       []filing.MaterialRequirement
	RuleSetVersion string
	// Reasons are the catalogue's reasons of Queue.
	Reasons []filing.CatalogueReason
}

// Field is one value of the application.
type Field struct {
	Path  string
	Value string
}

// Document is a material's bytes.
type Document struct {
	ContentType string
	Body        []byte
}

// OIDC is the identity provider reviewers sign in with: the operators'
// issuer, with a client of the workbench's own.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// Claim holds the groups or roles (a string or a list; a dotted path
	// reaches into objects); Reviewers and Support are the values that make
	// a reviewer and a support member. Support wins when both match.
	Claim     string
	Reviewers []string
	Support   []string
	// StaffClaim names the claim holding the staff ID that claims, the
	// audit trail and the access log record: an opaque ID, never an
	// e-mail or a name (a value with "@" or spaces is refused).
	StaffClaim string
	// HTTPClient reaches the identity provider; nil uses a client with a
	// 10 s timeout.
	HTTPClient *http.Client
}

// Options configure the workbench.
type Options struct {
	Reviews Reviews
	// BaseURL is the scheme and host reviewers open, e.g.
	// https://review.example.com; the OIDC redirect URI is
	// BaseURL/workbench/signed-in and cookies are Secure on https. Empty
	// takes http and the request's host: a development machine.
	BaseURL string
	// SessionKey signs session cookies: at least 32 bytes, the same in
	// every API process.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
	// OIDC, if set, signs reviewers in through single sign-on.
	OIDC *OIDC
	// DevSignInToken, if set, enables /workbench/sign-in/dev?token=…, which
	// signs in anyone who has the link: development only.
	DevSignInToken string
	Log            *slog.Logger
	Now            func() time.Time
}

// Workbench serves the pages.
type Workbench struct {
	Options
	signer signer
	secure bool
	origin string
	pages  map[string]*template.Template
	oidc   *oidcClient
}

// Mount registers the workbench under /workbench on e.
func Mount(e *echo.Echo, o Options) (*Workbench, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	if len(o.SessionKey) < 32 {
		return nil, errors.New("workbench: the session key needs at least 32 bytes")
	}
	w := &Workbench{Options: o, signer: signer{key: o.SessionKey}}
	if o.BaseURL != "" {
		base, err := url.Parse(o.BaseURL)
		if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
			return nil, fmt.Errorf("workbench: base URL %q is not an http(s) URL", o.BaseURL)
		}
		w.secure, w.origin = base.Scheme == "https", base.Scheme+"://"+base.Host
	}
	var err error
	if w.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if o.OIDC != nil {
		w.oidc = newOIDCClient(*o.OIDC)
	}

	g := e.Group("/workbench", w.headers)
	static, _ := fs.Sub(staticFS, "static")
	g.GET("/static/*", echo.WrapHandler(http.StripPrefix("/workbench/static/", staticHandler(static))))
	g.GET("/sign-in", w.signInPage)
	g.GET("/sign-in/oidc", w.startOIDC)
	g.GET("/signed-in", w.finishOIDC)
	g.GET("/sign-in/dev", w.devSignInPage)
	g.POST("/sign-in/dev", w.devSignIn)
	g.POST("/language", w.language)

	in := g.Group("", w.signedIn)
	in.GET("", w.home)
	in.GET("/", w.home)
	in.GET("/queues/:queue", w.queuePage)
	in.GET("/filings/:id", w.filingPage)
	in.GET("/filings/:id/documents/:n", w.document)
	in.POST("/filings/:id/claim", w.claim, w.csrf)
	in.POST("/filings/:id/release", w.release, w.csrf)
	in.POST("/filings/:id/decision", w.decide, w.csrf)
	in.POST("/sign-out", w.signOut, w.csrf)
	return w, nil
}

// contentSecurityPolicy allows nothing but the workbench's own script,
// style, images and frames (materials are served from the workbench, not
// from S3), no inline code, no plugins, and no framing of the page.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// headers sets the security headers of every workbench response. Pages
// show personal data: nothing is cached and no referrer leaves the site
// ("same-origin", not "no-referrer", under which the browser sends
// "Origin: null" with the workbench's own form posts).
func (w *Workbench) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !strings.HasPrefix(c.Request().URL.Path, "/workbench/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// signedIn admits requests with a valid session, as the principal the
// API's own handlers see, and sends others to sign in.
func (w *Workbench) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s, ok := w.session(c)
		if !ok {
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/workbench/sign-in")
			}
			return w.fail(c, http.StatusUnauthorized, msgSignInAgain)
		}
		auth.SetPrincipal(c, auth.Principal{KeyID: s.Staff, Role: s.Role})
		c.Set(sessionKey, s)
		return next(c)
	}
}

const sessionKey = "beianflow.workbench.session"

// session is the request's valid session.
func (w *Workbench) session(c echo.Context) (session, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if err := w.signer.open(sessionCookie, ck.Value, &s); err != nil || !w.Now().Before(s.Expires) {
		return session{}, false
	}
	if s.Role != auth.RoleReviewer && s.Role != auth.RoleSupport {
		return session{}, false
	}
	return s, true
}

// startSession signs the staff member in.
func (w *Workbench) startSession(c echo.Context, staff string, role auth.Role) error {
	s := session{Staff: staff, Role: role, CSRF: randomToken(), Expires: w.Now().Add(w.SessionTTL)}
	v, err := w.signer.seal(sessionCookie, s)
	if err != nil {
		return err
	}
	c.SetCookie(w.cookie(sessionCookie, v, s.Expires))
	w.Log.InfoContext(c.Request().Context(), "workbench: signed in", "staff", staff, "role", role)
	return c.Redirect(http.StatusSeeOther, "/workbench/")
}

func (w *Workbench) signOut(c echo.Context) error {
	c.SetCookie(w.cookie(sessionCookie, "", time.Time{}))
	return c.Redirect(http.StatusSeeOther, "/workbench/sign-in")
}

// csrf admits a form post only with the session's token and, where the
// browser says where it comes from, from the workbench's own origin.
func (w *Workbench) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s, _ := c.Get(sessionKey).(session)
		if !w.sameOrigin(c) || !tokensEqual(c.FormValue("csrf"), s.CSRF) {
			return w.fail(c, http.StatusForbidden, msgForgedForm)
		}
		return next(c)
	}
}

// sameOrigin is false when the browser reports another site or origin.
func (w *Workbench) sameOrigin(c echo.Context) bool {
	r := c.Request()
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != w.originOf(c) {
		return false
	}
	return true
}

// originOf is the workbench's origin: configured, or on a development
// machine the one the request was made to.
func (w *Workbench) originOf(c echo.Context) string {
	if w.origin != "" {
		return w.origin
	}
	return "http://" + c.Request().Host
}

func (w *Workbench) home(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/workbench/queues/"+string(filing.QueueInitial))
}

// language switches the pages between Chinese and English.
func (w *Workbench) language(c echo.Context) error {
	if !w.sameOrigin(c) {
		return w.fail(c, http.StatusForbidden, msgForgedForm)
	}
	to := langZH
	if c.FormValue("lang") == string(langEN) {
		to = langEN
	}
	c.SetCookie(w.cookie(langCookie, string(to), w.Now().AddDate(1, 0, 0)))
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/workbench/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		back = "/workbench/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// fail shows an error page.
func (w *Workbench) fail(c echo.Context, status int, msg message) error {
	return w.render(c, status, "error", page{Title: msg, Error: w.lang(c).text(msg)})
}

// failWith shows err: an API error in the reviewer's language, anything
// else as a failure of ours, logged.
func (w *Workbench) failWith(c echo.Context, err error) error {
	var he *httpx.Error
	if errors.As(err, &he) {
		return w.render(c, he.Status, "error", page{Title: msgError, Error: httpx.Localized(he, string(w.lang(c))) + " (" + he.Code + ")"})
	}
	w.Log.ErrorContext(c.Request().Context(), "workbench: request failed", "path", c.Path(), "err", err)
	return w.fail(c, http.StatusInternalServerError, msgInternal)
}

func tokensEqual(a, b string) bool {
	return a != "" && len(a) == len(b) && subtleEqual(a, b)
}
