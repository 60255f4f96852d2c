package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Search attributes let operators filter filings in the Web UI
// (e.g. `BeianStage = "initial_review" AND BeianProvince = "ZJ"`). They are not
// encrypted by any codec, so they must never hold personal data.
var (
	AttrStage         = temporal.NewSearchAttributeKeyKeyword("BeianStage")
	AttrFilingType    = temporal.NewSearchAttributeKeyKeyword("BeianFilingType")
	AttrProvince      = temporal.NewSearchAttributeKeyKeyword("BeianProvince")
	AttrWaitingOn     = temporal.NewSearchAttributeKeyKeyword("BeianWaitingOn")
	AttrStageDeadline = temporal.NewSearchAttributeKeyTime("BeianStageDeadline")
	AttrOverdue       = temporal.NewSearchAttributeKeyBool("BeianOverdue")
)

// SearchAttributeKeys lists every custom search attribute, for registration
// with a Temporal server (`beianflow dev`, tests, deployment scripts).
func SearchAttributeKeys() []temporal.SearchAttributeKey {
	return []temporal.SearchAttributeKey{
		AttrStage, AttrFilingType, AttrProvince, AttrWaitingOn, AttrStageDeadline, AttrOverdue,
	}
}

// SearchAttributeFlags renders the keys as `temporal server start-dev`
// arguments (--search-attribute Name=Type).
func SearchAttributeFlags() []string {
	var args []string
	for _, k := range SearchAttributeKeys() {
		args = append(args, "--search-attribute", k.GetName()+"="+k.GetValueType().String())
	}
	return args
}

// published is what the filing's search attributes say: an upsert carries
// only what changed, and none is made when nothing did, since each upsert
// is an event in the history. The workflow starts with its stage and
// overdue set (filings.StartOptions).
type published struct {
	stage, waitingOn string
	// deadline is zero while unset.
	deadline time.Time
	overdue  bool
}

// wanted is what the search attributes should say of the state.
func (f *flow) wanted() published {
	p := published{stage: string(f.state.Stage), waitingOn: string(f.state.WaitingOn), overdue: f.state.Overdue}
	if f.state.Deadline != nil {
		p.deadline = *f.state.Deadline
	}
	if f.state.Stage == "" {
		p.stage = f.pub.stage // not yet entered: what the start set
	}
	return p
}

func (p published) equal(q published) bool {
	return p.stage == q.stage && p.waitingOn == q.waitingOn && p.deadline.Equal(q.deadline) && p.overdue == q.overdue
}

// publish upserts the attributes of want that differ from what was
// published.
func (f *flow) publish(ctx workflow.Context, want published) error {
	have := f.pub
	var updates []temporal.SearchAttributeUpdate
	if want.stage != have.stage {
		updates = append(updates, AttrStage.ValueSet(want.stage))
	}
	if want.waitingOn != have.waitingOn {
		updates = append(updates, AttrWaitingOn.ValueSet(want.waitingOn))
	}
	if !want.deadline.Equal(have.deadline) {
		if want.deadline.IsZero() {
			updates = append(updates, AttrStageDeadline.ValueUnset())
		} else {
			updates = append(updates, AttrStageDeadline.ValueSet(want.deadline))
		}
	}
	if want.overdue != have.overdue {
		updates = append(updates, AttrOverdue.ValueSet(want.overdue))
	}
	if len(updates) == 0 {
		return nil
	}
	// Taken as published even when refused: an upsert is refused only for
	// what it says, and saying it again would be refused again.
	f.pub = want
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}
