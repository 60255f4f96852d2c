// Package requestid carries the ID of the HTTP request being answered in a
// context.Context, so that whatever the request sets off (Temporal calls,
// the workflow's update handlers, the activities they run) logs it. It
// imports nothing, so every layer may use it.
package requestid

import "context"

type key struct{}

// With returns ctx carrying id; an empty id carries none.
func With(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, key{}, id)
}

// From returns the request ID ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}
