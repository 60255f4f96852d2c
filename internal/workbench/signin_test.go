package workbench_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/workbench"
)

// ssoBench is the workbench signing in at a test identity provider.
func ssoBench(t *testing.T) (*bench, *testenv.IDP) { return ssoBenchWithClaim(t, "groups") }

// ssoBenchWithClaim reads the groups from claim.
func ssoBenchWithClaim(t *testing.T, claim string) (*bench, *testenv.IDP) {
	t.Helper()
	idp := testenv.NewIDP(t, "")
	idp.ClientID, idp.ClientSecret = "workbench", "client-secret"
	idp.Users = map[string]map[string]any{
		"li":    {"groups": []any{"beianflow-reviewers"}, "staff_id": "staff-7"},
		"zhao":  {"realm": map[string]any{"roles": []any{"beianflow-support", "beianflow-reviewers"}}, "staff_id": "support-1"},
		"chen":  {"groups": []any{"sales"}, "staff_id": "staff-30"},
		"mail":  {"groups": []any{"beianflow-reviewers"}, "staff_id": "li@example.com"},
		"nosid": {"groups": []any{"beianflow-reviewers"}},
	}
	srv := httptest.NewServer(idp)
	t.Cleanup(srv.Close)
	idp.Issuer = srv.URL
	return newBench(t, func(o *workbench.Options) {
		o.OIDC = &workbench.OIDC{Issuer: srv.URL, ClientID: "workbench", ClientSecret: "client-secret",
			Claim: claim, Reviewers: []string{"beianflow-reviewers"}, Support: []string{"beianflow-support"}, StaffClaim: "staff_id"}
	}), idp
}

// signInAt goes through the identity provider as user and returns the
// workbench's answer to the callback.
func (b *bench) signInAt(user string) *http.Response {
	b.t.Helper()
	res, _ := b.get("/workbench/sign-in/oidc")
	require.Equal(b.t, http.StatusFound, res.StatusCode)
	auth, err := url.Parse(res.Header.Get("Location"))
	require.NoError(b.t, err)
	q := auth.Query()
	assert.Equal(b.t, "S256", q.Get("code_challenge_method"), "PKCE")
	assert.NotEmpty(b.t, q.Get("nonce"))
	assert.Equal(b.t, b.srv.URL+"/workbench/signed-in", q.Get("redirect_uri"))
	q.Set("username", user)
	res, _ = b.send(http.MethodPost, auth.Scheme+"://"+auth.Host+auth.Path, q, nil)
	require.Equal(b.t, http.StatusFound, res.StatusCode)
	res, _ = b.send(http.MethodGet, res.Header.Get("Location"), nil, nil)
	return res
}

func TestAReviewerSignsInAtTheIdentityProvider(t *testing.T) {
	b, _ := ssoBench(t)
	res := b.signInAt("li")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/workbench/", res.Header.Get("Location"))
	_, page := b.get("/workbench/queues/initial")
	assert.Contains(t, page, "oidc:staff-7 · 审核员")
}

func TestRolesComeFromTheConfiguredGroupsAndSupportWins(t *testing.T) {
	b, _ := ssoBenchWithClaim(t, "realm.roles")
	res := b.signInAt("zhao")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page := b.get("/workbench/queues/initial")
	assert.Contains(t, page, "oidc:support-1 · 客服支持")
}

func TestStaffWithoutAReviewGroupOrAStaffIDAreRefused(t *testing.T) {
	for _, user := range []string{"chen", "mail", "nosid"} {
		b, _ := ssoBench(t)
		res := b.signInAt(user)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, user)
		res, _ = b.get("/workbench/queues/initial")
		assert.Equal(t, http.StatusSeeOther, res.StatusCode, "%s is not signed in", user)
	}
}

func TestACallbackThatDoesNotMatchTheSignInIsRefused(t *testing.T) {
	b, _ := ssoBench(t)
	res, _ := b.get("/workbench/sign-in/oidc")
	require.Equal(t, http.StatusFound, res.StatusCode)
	// A code and state the workbench did not ask for (login CSRF).
	res, _ = b.get("/workbench/signed-in?code=stolen&state=guessed")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = b.get("/workbench/queues/initial")
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
}
