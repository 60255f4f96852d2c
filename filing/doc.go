// Package filing defines the data of an ICP filing application (ICP备案申请):
// the filing subject (主体), its websites (网站) and the cloud resource that
// proves hosting (产品验证). The types double as the HTTP API's request and
// response schema, hence the snake_case JSON tags.
//
// The package is pure data: no I/O, no clock, no validation beyond enum
// membership. Zero values mean "not yet given" so that a partially filled
// application, as sent by a dry run while the user is still typing, can be
// represented and checked by package rules.
package filing
