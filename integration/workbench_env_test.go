package integration

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"

	"github.com/beianflow/beianflow/internal/testenv"
)

// devSignInToken is the development sign-in secret of the shared system.
var devSignInToken = "dev-sign-in-secret-of-the-integration-tests-0123456789"

// workbenchUsers are the staff of the test identity provider, by the name
// they sign in with: their groups and the staff ID the workbench records.
var workbenchUsers = map[string]map[string]any{
	"li.reviewer":   {"groups": []any{"staff", "beianflow-reviewers"}, "staff_id": "staff-7"},
	"wang.reviewer": {"groups": []any{"beianflow-reviewers"}, "staff_id": "staff-8"},
	"zhao.support":  {"groups": []any{"beianflow-support"}, "staff_id": "support-1"},
	"chen.sales":    {"groups": []any{"sales"}, "staff_id": "staff-30"},
	"mail.reviewer": {"groups": []any{"beianflow-reviewers"}, "staff_id": "mail.reviewer@example.com"},
}

// startIDP serves an OIDC identity provider on a local port.
func startIDP() (*testenv.IDP, string, func(), error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", nil, err
	}
	idp := &testenv.IDP{Key: key, KeyID: "it-key-1", ClientID: "beianflow-workbench", ClientSecret: "workbench-client-secret",
		Users: workbenchUsers}
	srv := httptest.NewServer(idp)
	idp.Issuer = srv.URL + "/realms/staff"
	return idp, idp.Issuer, srv.Close, nil
}
