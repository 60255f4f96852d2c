// Package filing is beianflow's contract: everything a caller of the HTTP
// API or of the filing workflow needs, and nothing else. It holds
//
//   - the application's data (ICP备案申请): the filing subject (主体), its
//     websites (网站) and the cloud resource that proves hosting (产品验证);
//   - a filing's identity (ID, parsed once at the edge, with its Temporal
//     workflow ID), its stages, steps and the parties it waits on;
//   - its state as the workflow reports it (State), as the API answers it
//     (View) and as listings show it (Row);
//   - the actions on a running filing: each update's name paired with its
//     request type (Update), the acknowledgement (Ack) and the stable error
//     codes of the API;
//   - the API's request and answer bodies, including the support tooling's.
//
// It imports the standard library only, so a backend that wants the typed
// client (package apiclient) does not pull in Temporal, the database or
// the AWS SDK. The types double as the HTTP API's schema, hence the
// snake_case JSON tags.
//
// The application types are pure data: no I/O, no clock, no validation
// beyond enum membership. Zero values mean "not yet given" so that a
// partially filled application, as sent by a dry run while the user is still
// typing, can be represented and checked by package rules.
package filing
