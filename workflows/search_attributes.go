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

// published is what the filing's search attributes last said: an upsert
// carries only what changed, and none is made when nothing did. Each
// upsert is an event in the history, and a wait is published again at
// every turn of a loop (the bureau's review asks once per business day)
// with the same values. The workflow starts with its stage and overdue
// set (filings.StartOptions).
type published struct {
	stage, waitingOn string
	// deadline is zero while unset.
	deadline time.Time
	overdue  bool
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
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return err
	}
	f.pub = want
	return nil
}
