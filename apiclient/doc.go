// Package apiclient is a typed Go client of the beianflow HTTP API for the
// provider's backend, reviewers and support staff.
//
// Every method maps to one endpoint and returns the decoded answer. The
// request and response types are this module's wire types wherever the
// server exports them (filing.State, filing.DecisionRequest,
// filing.Application, filing.Upload, …); this package defines only the
// bodies whose server types are unexported (CreateFilingRequest, Filing,
// Timeline, Validation, …) and the listing types.
//
// # Usage
//
//	c := apiclient.New("https://beian.example.com", apiKey,
//		apiclient.WithLanguage(apiclient.LanguageZH))
//	f, err := c.CreateFiling(ctx, apiclient.CreateFilingRequest{
//		AccountID: "acc-1",
//		Subject: apiclient.SubjectIdentity{Province: "ZJ", Nature: filing.NatureEnterprise,
//			CertificateType: filing.CertBusinessLicense, CertificateNumber: "91330106MA27UK8P01"},
//		Domain:  "example.com",
//		Product: filing.Product{InstanceID: "i-acc-1-web"},
//	})
//	switch {
//	case apiclient.IsCode(err, apiclient.CodeSubjectBusy):
//		// another filing of this subject is in flight
//	case err != nil:
//		return err
//	}
//	for s, err := range c.Filings(ctx, apiclient.ListFilingsParams{
//		Stages: []filing.Stage{filing.StageInitialReview}}) {
//		…
//	}
//
// # Retries and idempotency
//
// A call is retried (WithRetries, default 2 retries) only when retrying can
// change the outcome: a network failure, 429 (after Retry-After),
// 502/503/504 and 409 idempotency_in_progress (a retry that overtook its
// own first attempt), with jittered exponential backoff, never beyond the
// context's deadline. Every POST and PUT carries an Idempotency-Key — the
// caller's (IdempotencyKey) or one generated per call and reused on that
// call's own retries — so a retry after a lost answer gets the first answer
// replayed instead of acting twice. To retry a failed call yourself later,
// read the key it used with Into and pass it back with IdempotencyKey.
//
// # Errors
//
// A non-2xx answer is an *Error (also for bodies that are not JSON, e.g.
// from a proxy), wrapped with the method and path; test it with IsCode or
// errors.As. Failures without an answer wrap the network or context error.
//
// # Response metadata
//
// Methods return only the decoded body. Pass Into(&meta) to learn the
// status, X-Request-Id, whether the answer was an idempotent replay, the
// idempotency key sent and the number of attempts; it is filled on failure
// too.
package apiclient
