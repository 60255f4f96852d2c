package integration

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/testenv"
)

// The reviewers' workbench, driven in headless Chromium against the whole
// system: sign-in at the identity provider, the queue, a filing beside its
// materials, claim, reject with catalogue reasons and approve.

// person is one member of staff at their own browser profile (cookies).
type person struct {
	t   *testing.T
	ctx context.Context
}

func newPerson(browser context.Context, t *testing.T) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx)) // opens the tab, which lives as long as ctx
	return &person{t: t, ctx: ctx}
}

// do runs steps with a deadline.
func (p *person) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	require.NoError(p.t, chromedp.Do(ctx, steps...))
}

func (p *person) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(p.t, err, "%s", sel)
	return s
}

func (p *person) eval(js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	require.NoError(p.t, err, "%s", js)
	return s
}

func (p *person) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	require.NoError(p.t, err)
	return loc
}

// screenshot keeps the page as docs/img/<name>.png when
// BEIANFLOW_SCREENSHOTS names a directory (make screenshots).
func (p *person) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("BEIANFLOW_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err)
	require.NoError(p.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// signInWithSSO signs in at the identity provider as user.
func (p *person) signInWithSSO(user string) {
	p.t.Helper()
	p.do(
		chromedp.Navigate(sys.baseURL+"/workbench/"),
		chromedp.WaitVisible(chromedp.ID("sso")),
		chromedp.Click(chromedp.ID("sso")),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.Click(chromedp.ID("idp-sign-in")),
	)
}

// signInAsDev signs in through the development link as handle.
func (p *person) signInAsDev(handle string) {
	p.t.Helper()
	p.do(
		chromedp.Navigate(sys.baseURL+"/workbench/sign-in/dev?token="+devSignInToken),
		chromedp.WaitVisible(chromedp.ID("handle")),
		chromedp.SetValue(chromedp.ID("handle"), handle),
		chromedp.Click(chromedp.ID("dev-sign-in-submit")),
		chromedp.WaitVisible(chromedp.CSS("nav, #error-message")),
	)
	require.Empty(p.t, p.eval(`document.getElementById("error-message")?.textContent ?? ""`))
}

// openFiling opens the filing from the queue, as a reviewer does: the row
// is found by its link and opened with the keyboard.
func (p *person) openFiling(queue filing.Queue, id string) {
	p.t.Helper()
	row := `#queue tr[data-href="/workbench/filings/` + id + `"]`
	p.do(
		chromedp.Navigate(sys.baseURL+"/workbench/queues/"+string(queue)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" a")),
		chromedp.WaitVisible(chromedp.ID("filing-id")),
	)
	require.Equal(p.t, id, p.text("#filing-id"))
}

// claim presses c, the claim shortcut, and waits for the answer.
func (p *person) claim() {
	p.t.Helper()
	p.do(chromedp.KeyEvent("c"), chromedp.WaitVisible(chromedp.ID("flash")))
}

// viewMaterial shows the n-th material (1-based, its shortcut key) in the
// viewer and returns its content type as the browser loaded it.
func (p *person) viewMaterial(n string) string {
	p.t.Helper()
	p.do(chromedp.KeyEvent(n))
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const d = document.getElementById("viewer").contentDocument;
		return d && d.readyState === "complete" && d.URL !== "about:blank" ? d.contentType : false;
	})()`))
	require.NoError(p.t, err)
	return got
}

// A reviewer signs in with single sign-on, claims a filing from the initial
// review queue, opens its materials, rejects it with two catalogue reasons,
// and approves it once the applicant has corrected it. The applicant's
// backend sees the structured reasons; support sees every read in the
// access log.
func TestAReviewerDecidesAFilingInTheWorkbenchAlone(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "workbench-one.com", "云栖工作台示例")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)

	li := newPerson(testenv.Browser(t), t)
	li.signInWithSSO("li.reviewer")
	li.do(chromedp.WaitVisible(chromedp.ID("queue")))
	assert.Contains(t, li.location(), "/workbench/queues/initial")
	assert.Contains(t, li.text(".staff"), "oidc:staff-7")
	li.screenshot("workbench-queue")

	li.openFiling(filing.QueueInitial, s.id)
	assert.Contains(t, li.text("#claim-state"), "领取后才能审核")
	li.claim()
	assert.Contains(t, li.text("#flash"), "已领取")
	assert.Contains(t, li.text("#claim-state"), "您已领取")
	assert.Contains(t, li.text("#checks"), "通过全部自动校验")
	assert.Contains(t, li.text("#application"), "云栖工作台示例", "the application is shown")
	assert.Equal(t, "application/pdf", li.viewMaterial("1"), "a material opens inline")
	li.screenshot("workbench-filing")

	// The claim is visible to everyone, and the queue says whose it is.
	claim := sendWithKey(t, http.MethodGet, "/v1/review-queues/initial", reviewerKeys(t, 1)[0], "")
	require.Equal(t, http.StatusOK, claim.Status)
	assert.Contains(t, string(claim.Raw), `"claimed_by":"reviewer:oidc:staff-7"`)

	// Reject with two catalogue reasons and a supplement.
	li.do(
		chromedp.Click(chromedp.CSS(`input[value="name_mismatch|websites[0].name"]`)),
		chromedp.Click(chromedp.CSS(`input[value="subject_name_mismatch|subject.name"]`)),
		chromedp.SendKeys(chromedp.ID("supplement"), "请按营业执照填写"),
		chromedp.Click(chromedp.ID("reject")),
		// The queue page's count: the filing page still shows the claim's
		// message until the browser has left it.
		chromedp.WaitVisible(chromedp.CSS("h1 .count")),
	)
	assert.Contains(t, li.text("#flash"), "已驳回")
	assert.Contains(t, li.location(), "/workbench/queues/initial", "back to the queue for the next filing")

	st := s.returnedBy("reviewer")
	rs := st["last_rejection"].(map[string]any)["reasons"].([]any)
	require.Len(t, rs, 2)
	first, second := rs[0].(map[string]any), rs[1].(map[string]any)
	assert.Equal(t, "name_mismatch", first["code"])
	assert.Equal(t, "websites[0].name", first["field"])
	assert.Equal(t, "请按营业执照填写", first["message"])
	assert.NotEmpty(t, first["text"].(map[string]any)["zh"], "the applicant sees the catalogue's words")
	assert.Equal(t, "subject_name_mismatch", second["code"])
	audit := st["timeline"].([]any)
	assert.NotEmpty(t, audit)

	// The applicant corrects the name and submits again; the reviewer sees
	// what changed and approves.
	s.app.Websites[0].Name = "云栖工作台官网"
	s.save()
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	li.openFiling(filing.QueueInitial, s.id)
	assert.Contains(t, li.text("#changes"), "websites[0].name")
	assert.Contains(t, li.text("#changes"), "云栖工作台官网")
	assert.Contains(t, li.text("#last-rejection"), "name_mismatch")
	li.claim()
	li.screenshot("workbench-resubmitted")
	li.do(
		chromedp.KeyEvent("a"), // focuses Approve
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("h1 .count")),
	)
	assert.Contains(t, li.text("#flash"), "已通过")

	// The backdrop arrives, the responsible person's photo is uploaded, and
	// the same reviewer judges it from the photo queue.
	s.throughBackdrop()
	li.openFiling(filing.QueuePhoto, s.id)
	li.claim()
	assert.Equal(t, "image/png", li.viewMaterial("4"), "the photo opens inline")
	li.screenshot("workbench-photo-review")
	li.do(
		chromedp.KeyEvent("a"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("h1 .count")),
	)
	assert.Contains(t, li.location(), "/workbench/queues/photo")
	// Approved: the filing goes on to the bureau. Inside the submission
	// window it is submitted at once and may be past the submission stage
	// (or even approved) by the time we look, so wait for it to have left
	// the photo verification forward.
	require.Eventually(t, func() bool {
		st := get(t, s.path("")).Body["stage"]
		return st != string(filing.StagePhotoVerification) && st != string(filing.StageInformation)
	}, 90*time.Second, 50*time.Millisecond, "the photo approval moves the filing to the bureau")

	// Every read through the page is in the access log, under the
	// reviewer's staff ID.
	support := keyFor(t, sys.baseURL, api.RoleSupport, "")
	log := sendWithKey(t, http.MethodGet, s.path("/access-log"), support, "")
	require.Equal(t, http.StatusOK, log.Status, "%s", log.Raw)
	var whats []string
	for _, r := range log.Body["reads"].([]any) {
		r := r.(map[string]any)
		if r["actor"] == "reviewer:oidc:staff-7" {
			whats = append(whats, r["what"].(string))
		}
	}
	var apps, materials int
	for _, w := range whats {
		switch {
		case strings.HasPrefix(w, "application revision "):
			apps++
		case strings.HasPrefix(w, "material "):
			materials++
		}
	}
	assert.GreaterOrEqual(t, apps, 3, "each view of the filing reads its application: %v", whats)
	var photos int
	for _, w := range whats {
		if strings.HasPrefix(w, "photo ") {
			photos++
		}
	}
	assert.Equal(t, 1, materials, "the material opened once: %v", whats)
	assert.Equal(t, 1, photos, "the photo opened once: %v", whats)

	// Who saw what: the reviewer's own log spans filings, a page at a time.
	client := apiclient.New(sys.baseURL, support)
	var mine []filing.PersonalDataRead
	params := apiclient.ReaderLogParams{Actor: "reviewer:oidc:staff-7", Limit: 2}
	for page := 0; ; page++ {
		got, err := client.ReaderLog(context.Background(), params)
		require.NoError(t, err)
		require.LessOrEqual(t, len(got.Reads), 2)
		mine = append(mine, got.Reads...)
		if got.NextCursor == "" {
			break
		}
		params.Cursor = got.NextCursor
		require.Less(t, page, 100)
	}
	var here int
	for _, r := range mine {
		assert.Equal(t, "reviewer:oidc:staff-7", r.Actor)
		if string(r.FilingID) == s.id {
			here++
		}
	}
	assert.Equal(t, len(whats), here, "the reader's log holds every read the filing's log does")
}

// Two reviewers press claim on the same filing at the same moment: exactly
// one holds it, the other is told who does and cannot decide.
func TestTwoReviewersRacingInTheWorkbenchGetOneClaim(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "workbench-race.com", "云栖竞争示例")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)

	browser := testenv.Browser(t)
	people := []*person{newPerson(browser, t), newPerson(browser, t)}
	people[0].signInAsDev("reviewer-a")
	people[1].signInAsDev("reviewer-b")
	for _, p := range people {
		p.openFiling(filing.QueueInitial, s.id)
	}
	// Both forms are submitted together.
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
			defer cancel()
			_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("claim-form").requestSubmit(), true`))
		}()
	}
	wg.Wait()
	won := 0
	var loser *person
	for _, p := range people {
		p.do(chromedp.WaitVisible(chromedp.CSS("#flash, #error-message")))
		if p.eval(`document.getElementById("flash") ? "won" : "lost"`) == "won" {
			won++
		} else {
			loser = p
		}
	}
	require.Equal(t, 1, won, "exactly one reviewer holds the filing")
	assert.Contains(t, loser.text("#error-message"), "claim_held")
	loser.openFiling(filing.QueueInitial, s.id)
	assert.Contains(t, loser.text("#held-by-other"), "reviewer:dev:reviewer-")
	assert.Equal(t, "false", loser.eval(`String(!!document.getElementById("reject-form"))`), "no decision form for the loser")
}

// Sign-in refuses staff the identity provider does not put in a review
// group, and staff IDs that are e-mail addresses; a forged form is refused.
func TestTheWorkbenchAdmitsOnlyReviewersWithAStaffID(t *testing.T) {
	t.Parallel()
	browser := testenv.Browser(t)
	for _, user := range []string{"chen.sales", "mail.reviewer"} {
		p := newPerson(browser, t)
		p.signInWithSSO(user)
		p.do(chromedp.WaitVisible(chromedp.ID("error-message")))
		assert.Contains(t, p.text("#error-message"), "没有审核权限", user)
	}
	support := newPerson(browser, t)
	support.signInWithSSO("zhao.support")
	support.do(chromedp.WaitVisible(chromedp.CSS("nav")))
	assert.Contains(t, support.text(".staff"), "oidc:support-1")

	// A form posted from another site is refused: no session cookie goes
	// with a cross-site POST, and a same-site one without the token fails.
	res, err := http.PostForm(sys.baseURL+"/workbench/filings/0190c5d2-0000-7000-8000-000000000000/claim", url.Values{"csrf": {"x"}})
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'")
}
