package apiclient_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

// fakeBeianflow answers like the API for the calls of the example: it
// creates a filing and refuses to submit it before its product is verified.
func fakeBeianflow() *httptest.Server {
	const id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		switch {
		case r.Header.Get("Authorization") != "Bearer key-backend-1":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":"unauthorized","message":"missing or unknown API key"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/filings":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"filing_id":"`+id+`","account_id":"acc-1","province":"ZJ","filing_type":"new_website",
				"domain":"example.com","stage":"product_verification","waiting_on":"provider","revision":0,
				"created_at":"2026-03-02T01:00:00Z","updated_at":"2026-03-02T01:00:00Z","timeline":[],
				"workflow_id":"filing-`+id+`","source":"request"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/filings/"+id+"/submit":
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"code":"stage_conflict","message":"submit is not possible in stage product_verification"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"code":"route_not_found","message":"no such endpoint"}`)
		}
	}))
}

func Example() {
	srv := fakeBeianflow() // in production: the API's base URL
	defer srv.Close()
	ctx := context.Background()

	c := apiclient.New(srv.URL, "key-backend-1", apiclient.WithLanguage(apiclient.LanguageEN))

	var meta apiclient.Meta
	f, err := c.CreateFiling(ctx, filing.CreateRequest{
		AccountID: "acc-1",
		Subject: filing.SubjectIdentity{Province: "ZJ", Nature: filing.NatureEnterprise,
			CertificateType: filing.CertBusinessLicense, CertificateNumber: "91330106MA27UK8P01"},
		Domain:  "example.com",
		Product: filing.Product{InstanceID: "i-acc-1-web"},
	}, apiclient.Into(&meta))
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	fmt.Println(f.Stage, f.WaitingOn, f.WorkflowID)
	fmt.Println("status", meta.Status, "replayed", meta.Replayed, "key sent", meta.IdempotencyKey != "")

	_, err = c.Submit(ctx, f.FilingID)
	switch {
	case apiclient.IsCode(err, filing.CodeStageConflict):
		fmt.Println("not yet:", err)
	case err != nil:
		fmt.Println("submit:", err)
	}
	// Output:
	// product_verification provider filing-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b
	// status 201 replayed false key sent true
	// not yet: beianflow POST /v1/filings/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/submit: HTTP 409 stage_conflict: submit is not possible in stage product_verification [request req-1]
}

func ExampleClient_Filings() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") == "" {
			_, _ = io.WriteString(w, `{"items":[{"filing_id":"f1","stage":"initial_review"}],"next_cursor":"c2"}`)
			return
		}
		_, _ = io.WriteString(w, `{"items":[{"filing_id":"f2","stage":"photo_verification"}]}`)
	}))
	defer srv.Close()
	c := apiclient.New(srv.URL, "key-support-1")

	// Every filing waiting on a reviewer, page after page.
	for s, err := range c.Filings(context.Background(), apiclient.ListFilingsParams{
		WaitingOn: filing.PartyReviewer, Sort: apiclient.SortSince, Limit: 100,
	}) {
		if err != nil {
			fmt.Println("list:", err)
			break
		}
		fmt.Println(s.FilingID, s.Stage)
	}
	// Output:
	// f1 initial_review
	// f2 photo_verification
}
