package notify

// Events, each with its template in both languages. Every template names the
// filing as the order number (from Message.FilingID); the parameters listed
// are the Message.Params keys it needs as well. Rejection reasons are not
// parameters: they may quote the application, so messages point to the
// console instead of carrying them.
const (
	// EventInitialReviewApproved: the provider's initial review (初审) passed.
	EventInitialReviewApproved = "initial_review_approved"
	// EventInitialReviewRejected: the initial review returned the filing.
	EventInitialReviewRejected = "initial_review_rejected"
	// EventBackdropShipped: the photo backdrop (幕布) was sent.
	// Params: tracking_number (the courier's waybill number).
	EventBackdropShipped = "backdrop_shipped"
	// EventPhotoReviewApproved: the verification photo was accepted.
	EventPhotoReviewApproved = "photo_review_approved"
	// EventPhotoReviewRejected: the verification photo was rejected.
	EventPhotoReviewRejected = "photo_review_rejected"
	// EventBureauSubmitted: the filing was submitted to the 管局.
	EventBureauSubmitted = "bureau_submitted"
	// EventSMSVerificationNeeded: MIIT sent (or will send) its verification
	// SMS, to be answered within 24 hours.
	EventSMSVerificationNeeded = "sms_verification_needed"
	// EventSMSVerificationReturned: MIIT SMS verification failed again after
	// the automatic resubmission; the applicant must check the phone number
	// and submit again, or cancel.
	EventSMSVerificationReturned = "sms_verification_returned"
	// EventBureauApproved: the 管局 approved the filing.
	// Params: filing_number (the ICP备案号, e.g. 浙ICP备2026000001号-2).
	EventBureauApproved = "bureau_approved"
	// EventBureauRejected: the 管局 rejected the filing.
	EventBureauRejected = "bureau_rejected"
	// EventFilingOverdue: the 管局 review passed its limit.
	// Params: business_days (the limit, e.g. 20).
	EventFilingOverdue = "filing_overdue"
	// EventIdleReminder: the order has waited on the applicant for a long
	// time and will be deleted if it keeps waiting.
	// Params: idle_days (days without an update, e.g. 30).
	EventIdleReminder = "idle_reminder"
	// EventOrderExpired: the order was deleted after too long without updates.
	EventOrderExpired = "order_expired"
	// EventOrderCancelled: the order was cancelled.
	EventOrderCancelled = "order_cancelled"
)

// text is a message in one language. SMS sends only the body.
type text struct{ subject, body string }

// templates maps each event to its Chinese and English text. Placeholders are
// {name}: {filing_id} is Message.FilingID, any other name a Params key.
var templates = map[string]struct{ zh, en text }{
	EventInitialReviewApproved: {
		text{"ICP备案初审已通过", "您的ICP备案（订单 {filing_id}）已通过初审，请按提示完成真实性核验。"},
		text{"ICP filing passed the initial review",
			"Your ICP filing (order {filing_id}) passed the initial review. Please complete the identity verification as instructed."},
	},
	EventInitialReviewRejected: {
		text{"ICP备案初审未通过", "您的ICP备案（订单 {filing_id}）未通过初审，请登录控制台查看驳回原因，修改后重新提交。"},
		text{"ICP filing returned at the initial review",
			"Your ICP filing (order {filing_id}) did not pass the initial review. Please see the reasons in the console, correct the application and submit it again."},
	},
	EventBackdropShipped: {
		text{"ICP备案幕布已寄出", "您的ICP备案（订单 {filing_id}）幕布已寄出，运单号 {tracking_number}。收到后请按要求拍照并上传。"},
		text{"Your ICP filing backdrop has been shipped",
			"The backdrop for your ICP filing (order {filing_id}) has been shipped, tracking number {tracking_number}. When it arrives, take and upload your photo as instructed."},
	},
	EventPhotoReviewApproved: {
		text{"ICP备案核验照片已通过", "您的ICP备案（订单 {filing_id}）核验照片已审核通过，我们将尽快提交至管局。"},
		text{"ICP filing photo approved",
			"The verification photo of your ICP filing (order {filing_id}) was approved. We will submit the filing to the Communications Administration shortly."},
	},
	EventPhotoReviewRejected: {
		text{"ICP备案核验照片未通过", "您的ICP备案（订单 {filing_id}）核验照片未通过审核，请登录控制台查看原因并重新上传。"},
		text{"ICP filing photo rejected",
			"The verification photo of your ICP filing (order {filing_id}) was rejected. Please see the reasons in the console and upload a new photo."},
	},
	EventBureauSubmitted: {
		text{"ICP备案已提交管局", "您的ICP备案（订单 {filing_id}）已提交至管局审核，请留意工信部短信核验。"},
		text{"ICP filing submitted to the Communications Administration",
			"Your ICP filing (order {filing_id}) was submitted to the Communications Administration for review. Please watch for the MIIT verification SMS."},
	},
	EventSMSVerificationNeeded: {
		text{"请完成工信部短信核验", "您的ICP备案（订单 {filing_id}）需完成工信部短信核验：请在收到工信部短信后24小时内登录 beian.miit.gov.cn 完成核验，逾期备案将被退回。"},
		text{"Please complete the MIIT SMS verification",
			"Your ICP filing (order {filing_id}) needs MIIT SMS verification: within 24 hours of receiving the MIIT text message, complete it at beian.miit.gov.cn, or the filing will be returned."},
	},
	EventSMSVerificationReturned: {
		text{"工信部短信核验未完成，备案已退回", "您的ICP备案（订单 {filing_id}）两次未在24小时内完成工信部短信核验，已退回修改：请确认网站负责人手机号码正确、可接收短信，修改后重新提交，或取消订单。"},
		text{"MIIT SMS verification not completed: filing returned",
			"The MIIT SMS verification of your ICP filing (order {filing_id}) was not completed within 24 hours twice, so the filing was returned. Please check that the website responsible person's mobile number is correct and can receive SMS, then submit again, or cancel the order."},
	},
	EventBureauApproved: {
		text{"ICP备案已通过", "您的ICP备案（订单 {filing_id}）已通过管局审核，备案号 {filing_number}。请按要求在网站底部展示备案号并链接至 beian.miit.gov.cn。"},
		text{"ICP filing approved",
			"Your ICP filing (order {filing_id}) was approved by the Communications Administration: filing number {filing_number}. Display it at the bottom of your website, linked to beian.miit.gov.cn, as required."},
	},
	EventBureauRejected: {
		text{"ICP备案未通过管局审核", "您的ICP备案（订单 {filing_id}）未通过管局审核，请登录控制台查看驳回原因，修改后重新提交。"},
		text{"ICP filing rejected by the Communications Administration",
			"Your ICP filing (order {filing_id}) was rejected by the Communications Administration. Please see the reasons in the console, correct the application and submit it again."},
	},
	EventFilingOverdue: {
		text{"ICP备案管局审核超时", "您的ICP备案（订单 {filing_id}）管局审核已超过{business_days}个工作日，我们正在跟进，请耐心等待。"},
		text{"ICP filing review is overdue",
			"The Communications Administration's review of your ICP filing (order {filing_id}) has taken more than {business_days} business days. We are following up."},
	},
	EventIdleReminder: {
		text{"ICP备案订单即将过期", "您的ICP备案（订单 {filing_id}）已{idle_days}天未更新，长期未更新的订单将被自动删除，请尽快处理。"},
		text{"Your ICP filing is about to expire",
			"Your ICP filing (order {filing_id}) has not been updated for {idle_days} days. Orders left without updates are deleted automatically; please continue it soon."},
	},
	EventOrderExpired: {
		text{"ICP备案订单已过期", "您的ICP备案（订单 {filing_id}）因长期未更新已被自动删除。如仍需备案，请重新提交申请。"},
		text{"ICP filing expired",
			"Your ICP filing (order {filing_id}) was deleted automatically after a long time without updates. To file, please start a new application."},
	},
	EventOrderCancelled: {
		text{"ICP备案订单已取消", "您的ICP备案（订单 {filing_id}）已取消。如仍需备案，请重新提交申请。"},
		text{"ICP filing cancelled",
			"Your ICP filing (order {filing_id}) was cancelled. To file, please start a new application."},
	},
}
