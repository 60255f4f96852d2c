package workflows

import "go.temporal.io/sdk/temporal"

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
