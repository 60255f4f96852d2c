package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestRegulatedContentNeedsPreApproval(t *testing.T) {
	for _, c := range []filing.ContentType{
		filing.ContentNews, filing.ContentPublishing, filing.ContentEducation, filing.ContentHealthcare,
		filing.ContentDrugsMedicalDevices, filing.ContentCulture, filing.ContentRadioFilmTV,
		filing.ContentFinance, filing.ContentRideHailing, filing.ContentBulletinBoard,
	} {
		t.Run(string(c), func(t *testing.T) {
			app := validApplication()
			app.Websites[0].ContentTypes = []filing.ContentType{c}
			expectViolations(t, app, got{"websites[0].pre_approvals", rules.CodePreApprovalMissing})

			app.Websites[0].PreApprovals = []filing.PreApproval{{Type: c, DocumentNumber: "浙审〔2026〕1号"}}
			expectViolations(t, app)
		})
	}
}

func TestEachRegulatedContentTypeNeedsItsOwnApproval(t *testing.T) {
	app := validApplication()
	app.Websites[1].ContentTypes = []filing.ContentType{filing.ContentEducation, filing.ContentBulletinBoard, filing.ContentBulletinBoard}
	vs := rules.Validate(app, asOf, nil)
	if want := []got{{"websites[1].pre_approvals", rules.CodePreApprovalMissing}}; len(vs) != 1 || reduce(vs)[0] != want[0] {
		t.Fatalf("violations = %v, want %v", reduce(vs), want)
	}
	if vs[0].Message.ZH != "网站内容涉及“电子公告”，须先取得前置审批并填写审批文号。" {
		t.Errorf("message = %q", vs[0].Message.ZH)
	}
}

func TestPreApprovalEntriesMustBeComplete(t *testing.T) {
	app := validApplication()
	app.Websites[1].PreApprovals = []filing.PreApproval{{Type: filing.ContentEducation}, {Type: "gambling", DocumentNumber: "1"}}
	expectViolations(t, app,
		got{"websites[1].pre_approvals[0].document_number", rules.CodeRequired},
		got{"websites[1].pre_approvals[1].type", rules.CodeInvalidValue},
	)
}

func TestUnknownContentTypeAndLanguage(t *testing.T) {
	app := validApplication()
	app.Websites[0].ContentTypes = append(app.Websites[0].ContentTypes, "gambling")
	app.Websites[0].Languages = []filing.Language{"klingon"}
	expectViolations(t, app,
		got{"websites[0].content_types[1]", rules.CodeInvalidValue},
		got{"websites[0].languages[0]", rules.CodeInvalidValue},
	)
}
