package workbench

import (
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
)

// lang is a page language: Chinese first, English on request.
type lang string

const (
	langZH     lang = "zh"
	langEN     lang = "en"
	langCookie      = "bf_wb_lang"
)

func (w *Workbench) lang(c echo.Context) lang {
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == string(langEN) {
		return langEN
	}
	return langZH
}

// message is a text of the pages, by key.
type message string

// Messages shown outside templates.
const (
	msgSignIn      message = "sign_in"
	msgSignInAgain message = "sign_in_again"
	msgNoSSO       message = "no_sso"
	msgIDPDown     message = "idp_down"
	msgNotAllowed  message = "not_allowed"
	msgNoDevSignIn message = "no_dev_sign_in"
	msgBadHandle   message = "bad_handle"
	msgForgedForm  message = "forged_form"
	msgError       message = "error"
	msgInternal    message = "internal"
	msgNoReason    message = "no_reason"
	msgClaimed     message = "claimed"
	msgReleased    message = "released"
	msgApproved    message = "approved"
	msgRejected    message = "rejected"
	msgNotFound    message = "not_found"
)

// texts are the pages' words, zh and en.
var texts = map[message][2]string{
	msgSignIn:      {"登录", "Sign in"},
	msgSignInAgain: {"登录已失效，请重新登录", "Your sign-in has expired; please sign in again"},
	msgNoSSO:       {"未配置单点登录", "Single sign-on is not configured"},
	msgIDPDown:     {"身份认证服务暂不可用，请稍后再试", "The identity provider cannot be reached; try again shortly"},
	msgNotAllowed:  {"您的账号没有审核权限", "Your account may not review filings"},
	msgNoDevSignIn: {"开发登录未开启或链接无效", "Development sign-in is off or the link is wrong"},
	msgBadHandle:   {"工号只能包含字母、数字和 . _ : -，不能是姓名或邮箱", "A staff ID is letters, digits and . _ : -, never a name or e-mail"},
	msgForgedForm:  {"表单已过期或来源不明，请刷新页面后重试", "The form expired or did not come from this page; reload and try again"},
	msgError:       {"操作未完成", "That did not work"},
	msgInternal:    {"系统出错，请稍后再试", "Something went wrong on our side; try again shortly"},
	msgNoReason:    {"驳回时请至少选择一条驳回原因", "Pick at least one reason to reject"},
	msgClaimed:     {"已领取，其他审核员在领取期内不能处理此订单", "Claimed: no other reviewer can decide it while your claim lasts"},
	msgReleased:    {"已释放领取", "Claim released"},
	msgApproved:    {"已通过", "Approved"},
	msgRejected:    {"已驳回，订单已退回申请人修改", "Rejected: the filing went back to the applicant"},
	msgNotFound:    {"找不到该页面", "No such page"},

	"app":             {"备案审核台", "Filing review"},
	"queue_initial":   {"初审队列", "Initial review queue"},
	"queue_photo":     {"核验照片审核队列", "Photo review queue"},
	"filing":          {"备案订单", "Filing"},
	"province":        {"省份", "Province"},
	"type":            {"备案类型", "Filing type"},
	"waited":          {"已等待", "Waited"},
	"target":          {"时限", "Due"},
	"claim":           {"领取", "Claim"},
	"claimed_by":      {"领取人", "Claimed by"},
	"until":           {"至", "until"},
	"overdue":         {"已超时", "overdue"},
	"empty_queue":     {"队列中没有待审核的订单", "Nothing waits in this queue"},
	"business_days":   {"个工作日", "business days"},
	"hours":           {"小时", "hours"},
	"minutes":         {"分钟", "min"},
	"left":            {"剩余", "Left"},
	"open":            {"打开", "Open"},
	"stage":           {"环节", "Stage"},
	"waiting_for":     {"等待", "Waiting for"},
	"since":           {"开始于", "Since"},
	"deadline":        {"截止", "Deadline"},
	"round":           {"初审轮次", "Review round"},
	"application":     {"备案信息", "Application"},
	"revision":        {"版本", "Revision"},
	"changes":         {"与上次驳回版本相比的修改", "Changed since the rejected revision"},
	"field":           {"字段", "Field"},
	"before":          {"修改前", "Before"},
	"after":           {"修改后", "After"},
	"value":           {"内容", "Value"},
	"materials":       {"材料", "Materials"},
	"no_materials":    {"尚无材料", "No materials yet"},
	"kind":            {"类型", "Kind"},
	"size":            {"大小", "Size"},
	"checksum":        {"SHA-256", "SHA-256"},
	"attached":        {"上传于", "Attached"},
	"verified":        {"已校验", "verified"},
	"viewer_hint":     {"点击材料在此查看（快捷键 1–9）", "Pick a material to view it here (keys 1–9)"},
	"checks":          {"自动校验", "Automated checks"},
	"checks_pass":     {"当前版本通过全部自动校验", "The current revision passes every automated check"},
	"rule_set":        {"规则集", "Rule set"},
	"required":        {"所需材料", "Required materials"},
	"missing":         {"缺少", "missing"},
	"last_rejection":  {"上次驳回", "Last rejection"},
	"decision":        {"审核决定", "Decision"},
	"approve":         {"通过", "Approve"},
	"reject":          {"驳回", "Reject"},
	"reasons":         {"驳回原因（可多选）", "Reasons (pick one or more)"},
	"supplement":      {"补充说明（可选，勿填写个人信息）", "Supplement (optional; no personal data)"},
	"release":         {"释放", "Release"},
	"held_by_other":   {"其他审核员正在处理", "Another reviewer holds this filing"},
	"yours":           {"您已领取", "You hold this filing"},
	"claim_first":     {"领取后才能审核", "Claim the filing to decide it"},
	"not_in_queue":    {"该订单当前不在审核环节", "This filing waits for no reviewer"},
	"sign_out":        {"退出", "Sign out"},
	"signed_in_as":    {"当前用户", "Signed in as"},
	"other_lang":      {"English", "中文"},
	"sso":             {"通过单点登录进入", "Continue with single sign-on"},
	"dev_sign_in":     {"开发环境登录", "Development sign-in"},
	"dev_note":        {"仅用于本机开发：任何持有此链接的人都能登录。", "For a development machine only: anyone with this link can sign in."},
	"handle":          {"工号", "Staff ID"},
	"role":            {"角色", "Role"},
	"role_reviewer":   {"审核员", "Reviewer"},
	"role_support":    {"客服支持", "Support"},
	"shortcuts":       {"快捷键", "Shortcuts"},
	"shortcuts_help":  {"j/k 上下移动 · Enter 打开 · c 领取 · a 选中“通过”（再按 Enter 确认）· r 选择驳回原因 · 1–9 查看材料 · g 返回队列", "j/k move · Enter open · c claim · a focus Approve (Enter confirms) · r pick reasons · 1–9 view material · g back to queue"},
	"back_to_queue":   {"返回队列", "Back to queue"},
	"person":          {"负责人", "Person"},
	"hint":            {"修改建议", "How to fix"},
	"no_sso_no_dev":   {"未配置单点登录。开发环境请使用 make run 输出的登录链接。", "No single sign-on is configured. On a development machine, use the sign-in link make run prints."},
	"automated_wait":  {"尚未保存备案信息", "No application saved yet"},
	"reviewer_action": {"审核操作", "Review"},
}

func (l lang) text(m message) string {
	t, ok := texts[m]
	if !ok {
		return string(m)
	}
	if l == langEN {
		return t[1]
	}
	return t[0]
}

// pick is the zh or en half of a catalogue or rule message.
func (l lang) pick(m filing.Message) string {
	if l == langEN {
		return m.EN
	}
	return m.ZH
}

// stageNames are the stages as the seed names them; English shows the code.
var stageNames = map[filing.Stage]string{
	filing.StageProductVerification: "产品验证",
	filing.StageInformation:         "待完善备案信息",
	filing.StageInitialReview:       "初审",
	filing.StagePhotoVerification:   "拍照核验",
	filing.StageBureauSubmission:    "待提交管局",
	filing.StageSMSVerification:     "工信部短信核验",
	filing.StageBureauReview:        "管局审核",
	filing.StageApproved:            "已备案",
	filing.StageCancelled:           "已取消",
	filing.StageExpired:             "已过期",
}
