package filing

import "slices"

// Stage is where a filing is in the process. Values are stable: they are
// stored in the read model and in search attributes, and backends switch on
// them.
type Stage string

// Stages, with the terms applicants and reviewers see in provider consoles.
const (
	StageProductVerification Stage = "product_verification" // 产品验证
	StageInformation         Stage = "information"          // 待完善备案信息 / 待修改
	StageInitialReview       Stage = "initial_review"       // 等待初审
	StagePhotoVerification   Stage = "photo_verification"   // 拍照核验
	StageBureauSubmission    Stage = "bureau_submission"    // 待提交管局
	StageSMSVerification     Stage = "sms_verification"     // 工信部短信核验
	StageBureauReview        Stage = "bureau_review"        // 待管局审核
	StageApproved            Stage = "approved"             // 已备案
	StageCancelled           Stage = "cancelled"            // 已取消
	StageExpired             Stage = "expired"              // 已过期 (45 idle days)
)

// Stages lists every stage in process order, the ends last.
func Stages() []Stage {
	return []Stage{
		StageProductVerification, StageInformation, StageInitialReview, StagePhotoVerification,
		StageBureauSubmission, StageSMSVerification, StageBureauReview,
		StageApproved, StageCancelled, StageExpired,
	}
}

// Valid reports whether s is one of the stages.
func (s Stage) Valid() bool {
	return slices.Contains(Stages(), s)
}

// Terminal reports whether the filing has ended in this stage.
func (s Stage) Terminal() bool {
	return s == StageApproved || s == StageCancelled || s == StageExpired
}

// SubmittedToBureau reports whether the filing is in the bureau's hands, where
// the applicant can no longer cancel and the order clock no longer runs.
func (s Stage) SubmittedToBureau() bool {
	return s == StageSMSVerification || s == StageBureauReview || s == StageApproved
}
