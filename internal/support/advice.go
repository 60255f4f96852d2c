package support

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/beianflow/beianflow/filing"
)

// activityCauses says, per activity, what usually makes it fail. Activity
// names are the methods of activities.Activities.
var activityCauses = map[string]string{
	"SubmitToBureau":        "the provincial bureau's gateway (BEIANFLOW_BUREAU_URL) refuses or does not answer, or the application revision cannot be read from the database",
	"BureauStatus":          "the provincial bureau's gateway (BEIANFLOW_BUREAU_URL) does not answer",
	"AwaitBureauDecision":   "the provincial bureau's gateway (BEIANFLOW_BUREAU_URL) does not answer",
	"ShipBackdrop":          "the courier's API (BEIANFLOW_COURIER_URL) refuses or does not answer, or the mailing address cannot be read from the database",
	"TrackBackdrop":         "the courier's API (BEIANFLOW_COURIER_URL) does not answer",
	"BindServiceNumber":     "the instance inventory or the database does not answer",
	"BindWebsiteNumbers":    "the instance inventory or the database does not answer, or the application revision cannot be read",
	"ConsumeServiceNumbers": "the database does not answer",
	"ReleaseServiceNumbers": "the database does not answer",
	"ClaimSubject":          "the database does not answer",
	"ReleaseSubject":        "the database does not answer",
	"CheckApplication":      "the database or the document store (S3) does not answer",
	"VerifyMaterials":       "the document store (S3) does not answer",
	"Notify":                "the notifier (SMS/e-mail) refuses the message; notifications give up after 8 attempts and never hold the filing back",
}

// advice is the next step for a stuck filing, in words for support staff.
func advice(it filing.StuckFiling) string {
	id := string(it.FilingID)
	switch it.Reason {
	case filing.StuckWorkflowTaskFailing:
		s := fmt.Sprintf("The worker cannot run this filing's workflow code (%s); retrying cannot help. "+
			"If it started after a deploy, roll the worker back: the filing resumes by itself. "+
			"Otherwise fix the code with workflow.GetVersion (docs/versioning.md) and check the fix with "+
			"`beianflow ctl replay %s` against an API built from it before deploying. If the filing must redo a stage "+
			"on the fixed code, `beianflow ctl reset %s --to STAGE --reason ...` starts it again there.", orDefault(it.Details.Cause, "cause not recorded"), id, id)
		if it.Details.Cause == "" {
			s += " The failure itself is not in the history (the failing attempts followed a timed-out one, and Temporal " +
				"records only the first of a series): find \"Failed to process workflow task\" with workflow ID " +
				it.WorkflowID + " in the worker's log."
		}
		return s
	case filing.StuckActivityFailing:
		cause := activityCauses[it.Details.ActivityType]
		if cause == "" {
			cause = "a dependency it calls does not answer"
		}
		s := fmt.Sprintf("%s keeps failing (attempt %d); usually %s. The last error says which. "+
			"Temporal retries it by itself with growing pauses (up to 10 minutes). Fix the cause, then run "+
			"`beianflow ctl retry %s` to run it again at once.", it.Details.ActivityType, it.Details.Attempt, cause, id)
		if it.Details.Paused {
			s += " The activity is paused: retry also resumes it."
		}
		return s
	case filing.StuckDeadlinePassed:
		return deadlineAdvice(it)
	}
	return ""
}

func deadlineAdvice(it filing.StuckFiling) string {
	id := string(it.FilingID)
	switch it.WaitingOn {
	case filing.PartyReviewer:
		return "A review is past its one-business-day target: decide it in the review queue " +
			"(GET /v1/review-queues/initial or /photo)."
	case filing.PartyBureau:
		return "The bureau is past its legal review limit (the filing is flagged BeianOverdue). Chase the bureau; " +
			"if its decision arrived by another channel, deliver it with " +
			"`beianflow ctl signal " + id + " bureau-decision --receipt RECEIPT --approved --filing-number NUMBER` (or --rejected --reason CODE)."
	case filing.PartyApplicant:
		if it.Step == filing.StepAwaitingSMS {
			return "The MIIT SMS window has passed: the filing is resubmitted once the bureau returns it. If the bureau's " +
				"SMS outcome never came, deliver it with `beianflow ctl signal " + id + " bureau-sms --receipt RECEIPT --outcome returned`."
		}
		return "The order lifetime (45 idle days) has passed, so the filing should have expired by itself. If it stays open, " +
			"its timers are not firing: check that workers poll the task queue and look for workflow_task_failing entries of it."
	case filing.PartyProvider:
		return "The filing's own timer (e.g. the next bureau submission window) has passed and it did not move on: check that " +
			"workers poll the task queue, and look for activity_failing or workflow_task_failing entries of it."
	}
	return "The deadline of the current wait has passed. Look at `beianflow ctl timeline " + id + "` for what it waits on."
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// timeOf is a protobuf timestamp as a UTC time, nil when unset.
func timeOf(ts *timestamppb.Timestamp) *time.Time {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return nil
	}
	t := ts.AsTime().UTC()
	return &t
}
