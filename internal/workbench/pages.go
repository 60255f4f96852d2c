package workbench

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/rules"
)

// chinaTime is how times are shown: the bureaus' and reviewers' clock.
var chinaTime = time.FixedZone("CST", 8*3600)

// page is what every template gets.
type page struct {
	Title    message
	Lang     lang
	Now      time.Time
	Session  *session
	Path     string
	Flash    string
	Error    string
	OIDC     bool
	DevToken string

	Queue filing.Queue
	Rows  []queueRow
	F     *filingView
}

// T is the page's word for key.
func (p page) T(key string) string { return p.Lang.text(message(key)) }

// Pick is the page's half of a zh/en message.
func (p page) Pick(m filing.Message) string { return p.Lang.pick(m) }

// PickPtr is Pick of an optional message.
func (p page) PickPtr(m *filing.Message) string {
	if m == nil {
		return ""
	}
	return p.Lang.pick(*m)
}

// When shows an instant in China time.
func (p page) When(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

// Left is the time until deadline, or how long it is overdue.
func (p page) Left(deadline *time.Time) string {
	if deadline == nil {
		return "—"
	}
	d := deadline.Sub(p.Now)
	over := d < 0
	if over {
		d = -d
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	s := fmt.Sprintf("%d %s %d %s", h, p.T("hours"), m, p.T("minutes"))
	if over {
		return p.T("overdue") + " " + s
	}
	return s
}

// At is When of a value.
func (p page) At(t time.Time) string { return p.When(&t) }

// Province is a province's name and code.
func (p page) Province(code string) string {
	if pr, ok := rules.LookupProvince(code); ok && p.Lang == langZH {
		return pr.Name + " · " + code
	}
	return code
}

// Type is a filing type's name.
func (p page) Type(t filing.Type) string {
	if p.Lang == langZH && t.Label() != "" {
		return t.Label()
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

// Stage is a stage's name.
func (p page) Stage(s filing.Stage) string {
	if n := stageNames[s]; n != "" && p.Lang == langZH {
		return n
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// QueueName is the queue's title.
func (p page) QueueName(q filing.Queue) string { return p.T("queue_" + string(q)) }

type queueRow struct {
	filing.QueuedRow
	Mine bool
}

type filingView struct {
	Filing
	ID          filing.ID
	Mine        bool
	HeldByOther bool
	Changed     map[string]bool
	Options     []reasonOption
	Required    []requiredView
}

// reasonOption is one checkbox of the rejection form: a catalogue reason,
// for one website where the reason points into the websites.
type reasonOption struct {
	Value string // "code|field"
	Label string
	Hint  string
	Field string
}

type requiredView struct {
	filing.MaterialRequirement
	Attached bool
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).
			ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("workbench: template %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (w *Workbench) render(c echo.Context, status int, name string, p page) error {
	p.Lang, p.Now = w.lang(c), w.Now()
	p.Path = c.Request().URL.Path
	if s, ok := c.Get(sessionKey).(session); ok {
		p.Session = &s
	}
	if p.Flash == "" {
		p.Flash = w.takeFlash(c, p.Lang)
	}
	var buf bytes.Buffer
	if err := w.pages[name].Execute(&buf, p); err != nil {
		w.Log.ErrorContext(c.Request().Context(), "workbench: rendering failed", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, "internal error")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// flash carries a message across the redirect after a form post.
const flashCookie = "bf_wb_flash"

func (w *Workbench) setFlash(c echo.Context, m message) {
	v, err := w.signer.seal(flashCookie, string(m))
	if err == nil {
		c.SetCookie(w.cookie(flashCookie, v, w.Now().Add(time.Minute)))
	}
}

func (w *Workbench) takeFlash(c echo.Context, l lang) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	c.SetCookie(w.cookie(flashCookie, "", time.Time{}))
	var m string
	if w.signer.open(flashCookie, ck.Value, &m) != nil {
		return ""
	}
	return l.text(message(m))
}

func (w *Workbench) queuePage(c echo.Context) error {
	q := filing.Queue(c.Param("queue"))
	if _, _, ok := q.Wait(); !ok {
		return w.fail(c, http.StatusNotFound, msgNotFound)
	}
	rows, err := w.Reviews.Queue(c, q)
	if err != nil {
		return w.failWith(c, err)
	}
	me := actor(c)
	p := page{Title: message("queue_" + string(q)), Queue: q, Rows: make([]queueRow, len(rows))}
	for i, r := range rows {
		p.Rows[i] = queueRow{QueuedRow: r, Mine: r.ClaimedBy == me}
	}
	return w.render(c, http.StatusOK, "queue", p)
}

func (w *Workbench) filingPage(c echo.Context) error {
	id, err := filing.ParseID(c.Param("id"))
	if err != nil {
		return w.fail(c, http.StatusNotFound, msgNotFound)
	}
	f, err := w.Reviews.Filing(c, id)
	if err != nil {
		return w.failWith(c, err)
	}
	me := actor(c)
	v := &filingView{Filing: f, ID: id, Changed: map[string]bool{}}
	if f.Claim != nil {
		v.Mine, v.HeldByOther = f.Claim.ClaimedBy == me, f.Claim.ClaimedBy != me
	}
	if f.Application != nil {
		for _, ch := range f.Application.Changes {
			v.Changed[ch.Field] = true
		}
		v.Options = reasonOptions(w.lang(c), f.Reasons, f.Application.Application)
	}
	for _, r := range f.Required {
		attached := slices.ContainsFunc(f.Materials, func(m filing.MaterialRead) bool { return m.Kind == r.Kind })
		v.Required = append(v.Required, requiredView{MaterialRequirement: r, Attached: attached})
	}
	queue := f.Queue
	if queue == "" {
		queue = filing.QueueInitial
	}
	return w.render(c, http.StatusOK, "filing", page{Title: "filing", Queue: queue, F: v})
}

// reasonOptions are the rejection form's checkboxes: a reason that points
// into the websites once per website.
func reasonOptions(l lang, rs []filing.CatalogueReason, app filing.Application) []reasonOption {
	var out []reasonOption
	for _, r := range rs {
		if !strings.Contains(r.Field, "[]") {
			out = append(out, reasonOption{Value: r.Code + "|" + r.Field, Label: l.pick(r.Text), Hint: l.pick(r.Hint), Field: r.Field})
			continue
		}
		for i := range app.Websites {
			field := strings.Replace(r.Field, "[]", "["+strconv.Itoa(i)+"]", 1)
			label := l.pick(r.Text)
			if len(app.Websites) > 1 {
				label = fmt.Sprintf("%s %d: %s", map[lang]string{langZH: "网站", langEN: "Website"}[l], i+1, label)
			}
			out = append(out, reasonOption{Value: r.Code + "|" + field, Label: label, Hint: l.pick(r.Hint), Field: field})
		}
	}
	return out
}

// document serves a material inline, for the page's viewer frame. The
// store verified its type when it was attached (images and PDFs only), so
// nothing served here is HTML; the response may be framed by the
// workbench itself and nothing else.
func (w *Workbench) document(c echo.Context) error {
	id, err := filing.ParseID(c.Param("id"))
	if err != nil {
		return w.fail(c, http.StatusNotFound, msgNotFound)
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 {
		return w.fail(c, http.StatusNotFound, msgNotFound)
	}
	d, err := w.Reviews.Document(c, id, n)
	if err != nil {
		return w.failWith(c, err)
	}
	switch d.ContentType {
	case "image/jpeg", "image/png", "application/pdf":
	default:
		return w.fail(c, http.StatusUnsupportedMediaType, msgNotFound)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Disposition", "inline")
	return c.Blob(http.StatusOK, d.ContentType, d.Body)
}

func (w *Workbench) claim(c echo.Context) error {
	return w.act(c, msgClaimed, func(id filing.ID) error { return w.Reviews.Claim(c, id) }, false)
}

func (w *Workbench) release(c echo.Context) error {
	return w.act(c, msgReleased, func(id filing.ID) error { return w.Reviews.Release(c, id) }, false)
}

// decide takes the decision form: approve, or reject with the checked
// catalogue reasons and an optional supplement.
func (w *Workbench) decide(c echo.Context) error {
	req := filing.DecisionRequest{Approve: c.FormValue("approve") == "true", Reviewer: auth.PrincipalOf(c).KeyID}
	done := msgApproved
	if !req.Approve {
		done = msgRejected
		form, err := c.FormParams()
		if err != nil {
			return w.fail(c, http.StatusBadRequest, msgForgedForm)
		}
		supplement := strings.TrimSpace(c.FormValue("supplement"))
		for _, v := range form["reason"] {
			code, field, _ := strings.Cut(v, "|")
			r := filing.Reason{Code: code, Field: field}
			if len(req.Reasons) == 0 {
				r.Message = supplement
			}
			req.Reasons = append(req.Reasons, r)
		}
		if len(req.Reasons) == 0 {
			return w.fail(c, http.StatusUnprocessableEntity, msgNoReason)
		}
	}
	return w.act(c, done, func(id filing.ID) error { return w.Reviews.Decide(c, id, req) }, true)
}

// act runs a form's action and, done, goes back to the filing (or to its
// queue after a decision) with a message.
func (w *Workbench) act(c echo.Context, done message, do func(filing.ID) error, toQueue bool) error {
	id, err := filing.ParseID(c.Param("id"))
	if err != nil {
		return w.fail(c, http.StatusNotFound, msgNotFound)
	}
	if err := do(id); err != nil {
		return w.failWith(c, err)
	}
	w.setFlash(c, done)
	to := "/workbench/filings/" + string(id)
	if q := c.FormValue("queue"); toQueue && (q == string(filing.QueueInitial) || q == string(filing.QueuePhoto)) {
		to = "/workbench/queues/" + q
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// actor is the reviewer as claims name them ("role:staff").
func actor(c echo.Context) string {
	p := auth.PrincipalOf(c)
	return string(p.Role) + ":" + p.KeyID
}

// staticHandler serves the embedded script and style sheet, cached for a
// day: they change only with a release.
func staticHandler(files fs.FS) http.Handler {
	fsrv := http.FileServerFS(files)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(rw, r)
	})
}
