package httpx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
)

// Languages of error messages. Codes never change with the language; only
// Message does.
const (
	langEN = "en"
	langZH = "zh"
)

// language picks zh or en from Accept-Language by quality, English when
// neither is asked for.
func language(c echo.Context) string {
	best, bestQ := langEN, 0.0
	for _, part := range strings.Split(c.Request().Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (primary == langZH || primary == langEN) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

// zhMessages are the Chinese messages by code. %s is the field, when the
// error names one. Rule violations carry their own Chinese text from the
// rules package instead.
var zhMessages = map[string]string{
	filing.CodeInvalidJSON:             "请求体不是有效的 JSON",
	filing.CodeInvalidType:             "字段 %s 的类型不正确",
	filing.CodeUnknownField:            "不认识的字段 %s",
	filing.CodeRequired:                "缺少必填字段 %s",
	filing.CodeInvalidValue:            "字段 %s 的值无效",
	filing.CodeUnsupportedMediaType:    "请以 application/json 发送请求体",
	filing.CodeBodyTooLarge:            "请求体过大",
	filing.CodeFilingNotFound:          "备案订单不存在",
	filing.CodeRevisionNotFound:        "备案信息尚未保存，或没有该版本",
	filing.CodeRouteNotFound:           "接口不存在",
	filing.CodeMethodNotAllowed:        "该接口不支持此请求方法",
	filing.CodeStageConflict:           "备案订单当前所处环节不允许此操作",
	filing.CodeInvalidAction:           "此操作的内容无效",
	filing.CodeApplicationInvalid:      "备案信息未通过校验，详见 details",
	filing.CodeSubjectBusy:             "该主体有正在进行中的备案订单，请先完成或取消",
	filing.CodeFilingClosed:            "备案订单已结束",
	filing.CodeFilingNotEnded:          "备案订单尚未结束，不能删除其个人信息",
	filing.CodePersonalDataErased:      "该备案订单的个人信息已删除",
	filing.CodeDownloadURLInvalid:      "下载链接无效，请重新获取材料列表",
	filing.CodeDownloadURLExpired:      "下载链接已过期，请重新获取材料列表",
	filing.CodeWebhookEndpointNotFound: "该 Webhook 端点不存在",
	filing.CodeWebhookEndpointLimit:    "Webhook 端点数量已达上限，请先删除一个",
	filing.CodeEventNotFound:           "该事件不存在",
	filing.CodeClaimHeld:               "该备案订单正由其他审核员处理",
	filing.CodeMaterialRejected:        "上传的材料与申报内容不符",
	filing.CodeFilingExists:            "备案订单已存在",
	filing.CodeUnavailable:             "依赖的服务暂时不可用，请稍后重试",
	filing.CodeInternal:                "内部错误，请提供请求 ID 联系我们",
	filing.CodeUnauthorized:            "API 密钥缺失、无效或已吊销",
	filing.CodeForbidden:               "该 API 密钥无权执行此操作或查看该账号的数据",
	filing.CodeAccountMismatch:         "该 API 密钥只能为其所属账号提交备案",
	filing.CodeRateLimited:             "请求过于频繁，请稍后重试",
	filing.CodeInvalidIdempotencyKey:   "Idempotency-Key 必须为 1-255 个可打印 ASCII 字符且不含空格",
	filing.CodeIdempotencyKeyReused:    "该 Idempotency-Key 已用于另一请求，新请求请使用新的键",
	filing.CodeIdempotencyInProgress:   "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
	filing.CodeInvalidCursor:           "分页游标无效或与当前筛选条件不符",
	filing.CodeCodecFailed:             "无法解码该载荷（密钥缺失或数据损坏）",
	filing.CodeWorkflowTaskFailing:     "该备案订单的工作流代码在 worker 上执行失败（如发布后出现非确定性错误），重试无效；请回滚 worker 或部署经回放验证的修复",
	filing.CodeNothingToRetry:          "该备案订单没有正在失败的活动，无需重试",
	filing.CodeStageNotReached:         "该备案订单从未进入所选阶段，无法重置到该阶段",
	filing.CodeAlreadyAtStageStart:     "该备案订单进入所选阶段后尚无任何进展，重置不会改变任何内容",
}

// localize rewrites the message of e for lang.
func localize(e *Error, lang string) *Error {
	if lang != langZH {
		return e
	}
	out := *e
	switch {
	case e.MessageZH != "":
		out.Message = e.MessageZH
	case zhMessages[e.Code] != "":
		tmpl := zhMessages[e.Code]
		if strings.Contains(tmpl, "%s") {
			field := e.Field
			if field == "" {
				field = "?"
			}
			out.Message = fmt.Sprintf(tmpl, field)
		} else {
			out.Message = tmpl
		}
	}
	return &out
}

// Localized is e's message in lang ("zh" or "en"), as the API would answer
// it; pages that show API errors word them alike.
func Localized(e *Error, lang string) string {
	return localize(e, lang).Message
}
