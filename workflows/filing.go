// Package workflows holds the filing workflow: deterministic code only.
// Every side effect runs in package activities; the types callers share with
// the workflow (its input, state, updates and their requests) are the
// contract in package filing.
//
// A file per stage, each opening with what the stage is in business terms,
// holds the stage's part of the process and the handlers and validators of
// the actions it takes.
package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// flow is the state of one FilingWorkflow run. Update handlers, the main
// flow and the order clock share it; workflow code runs one coroutine at a
// time, so no locking is needed.
type flow struct {
	in    filing.Input
	state filing.State
	cal   *calendar.Calendar
	rules *rules.RuleSet

	// instanceID is the cloud instance behind the filing's 备案服务号, from
	// which its other websites get theirs.
	instanceID string
	// verifying is the index in State.Verifications of the person whose
	// verification the filing waits for.
	verifying int
	// lastUpdate is when anyone last acted on the filing; the order
	// lifetime counts from here while the filing waits on the applicant.
	lastUpdate time.Time
	// runs counts the filing's runs before this one (continue-as-new).
	runs int
	// ended is set when cancellation or expiry must stop the main flow.
	ended *filing.StageChange

	inbox  inboxes
	outbox notifications
	trail  auditTrail
	reads  readModel // what the last commit wrote
	pub    published
	resets workflow.ReceiveChannel
}

// errEnded unwinds the main flow once the filing was cancelled or expired.
var errEnded = errors.New("filing ended")

// FilingWorkflow runs one ICP filing of type 新增网站 (subject's original
// filing at another provider) from product verification to the bureau's
// decision, through every rejection loop.
func FilingWorkflow(ctx workflow.Context, in filing.Input) (filing.State, error) {
	f, err := setup(ctx, in)
	if err != nil {
		return filing.State{}, err
	}
	err = f.run(ctx)
	if errors.Is(err, errEnded) {
		err = f.finishEnded(ctx)
	}
	// Updates accepted before this point must get their replies, and what
	// they changed (their audit entries) must be written before the filing
	// closes.
	for {
		if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); werr != nil {
			return f.state, errors.Join(err, werr)
		}
		if !f.uncommitted(ctx) {
			return f.state, err
		}
		if cerr := f.commit(ctx); cerr != nil {
			return f.state, errors.Join(err, cerr)
		}
	}
}

// setup creates the run's state, registers the query and the updates, and
// starts the order clock, which runs beside the process.
func setup(ctx workflow.Context, in filing.Input) (*flow, error) {
	if in.Settings.TimeScale <= 0 {
		in.Settings = filing.DefaultSettings()
	}
	f := &flow{
		in:    in,
		cal:   calendar.Default(),
		rules: rules.DefaultRuleSet(),
		state: filing.State{
			Identity:  in.Identity,
			CreatedAt: in.CreatedAt,
			Timeline:  []filing.StageChange{},
		},
		lastUpdate: workflow.Now(ctx),
		// What the start set (filings.StartOptions) and the request that
		// created the filing wrote (api/create.go).
		pub:   published{stage: string(filing.StageProductVerification)},
		reads: readModel{recorded: waitKey{stage: filing.StageProductVerification, on: filing.PartyProvider}},
	}
	if c := in.Continued; c != nil {
		f.resume(*c)
	}
	if err := workflow.SetQueryHandler(ctx, filing.QueryState, func() (filing.State, error) {
		return f.state, nil
	}); err != nil {
		return nil, fmt.Errorf("register state query: %w", err)
	}
	if err := f.registerUpdates(ctx); err != nil {
		return nil, err
	}
	workflow.Go(ctx, f.runOrderClock)
	return f, nil
}

// run is the process: the subject claimed, product verification once, then
// the loop of editing, reviews and bureau submission until the bureau
// approves.
func (f *flow) run(ctx workflow.Context) error {
	if f.runs == 0 {
		held, err := f.claimSubject(ctx)
		if err != nil {
			return err
		}
		if !held {
			return f.subjectTaken(ctx)
		}
		if err := f.verifyProduct(ctx); err != nil {
			return err
		}
	}
	for {
		if err := f.continueAsNewIfSuggested(ctx); err != nil {
			return err
		}
		if err := f.collectInformation(ctx); err != nil {
			return err
		}
		approved, err := f.initialReview(ctx)
		if err != nil {
			return err
		}
		if !approved {
			continue
		}
		// A filing the bureau sent back keeps the verifications of its
		// persons; only a person new to the application is verified.
		if err := f.photoVerification(ctx); err != nil {
			return err
		}
		approved, err = f.bureau(ctx)
		if err != nil {
			return err
		}
		if approved {
			return f.complete(ctx)
		}
	}
}
