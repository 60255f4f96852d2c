package bureau

import (
	"context"
	"time"

	"github.com/beianflow/beianflow/internal/partner"
)

// push is the bureau's webhook as the sandbox plays it: a submission whose
// sms_returned, approved or rejected was pushed cannot change again.
var push = partner.Push[SubmissionRecord, Status, State, Listener]{
	Subject: "status", Order: "submitted_at", Final: []State{StateSMSReturned, StateApproved, StateRejected},
	Pending: SubmissionRecord.pending, Deliver: Listener.BureauStatusChanged,
}

// Run plays the bureau's push: at once and then every interval (real time)
// it delivers to l the status of each submission whose state changed since
// the last successful push, until ctx ends (then it returns nil). A failed
// push is logged and retried on the next tick. Only the current state is
// pushed, so a sandbox that was stopped for a while skips the states that
// passed meanwhile, as a real push may; callers poll to see everything.
func (sb *Sandbox) Run(ctx context.Context, l Listener, every time.Duration) error {
	return push.Run(ctx, sb.base, l, every)
}
