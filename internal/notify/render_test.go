package notify

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleParams has a value for every parameter any template uses.
var sampleParams = map[string]string{
	"tracking_number": "SF1234567890",
	"filing_number":   "浙ICP备2026000001号-2",
	"business_days":   "20",
	"idle_days":       "30",
}

func TestEveryEventRendersInChineseAndEnglish(t *testing.T) {
	events := []string{
		EventInitialReviewApproved, EventInitialReviewRejected, EventBackdropShipped,
		EventPhotoReviewApproved, EventPhotoReviewRejected, EventBureauSubmitted,
		EventSMSVerificationNeeded, EventSMSVerificationReturned, EventBureauApproved, EventBureauRejected,
		EventFilingOverdue, EventIdleReminder, EventOrderExpired, EventOrderCancelled,
	}
	require.Len(t, templates, len(events), "every template has an Event constant")
	for _, event := range events {
		for _, lang := range []string{"", "zh", "en"} {
			t.Run(event+"/"+lang, func(t *testing.T) {
				m := Message{FilingID: "01990a2b-0000-7000-8000-000000000001", Event: event, Lang: lang, Params: sampleParams}
				subject, body, err := Render(m)
				require.NoError(t, err)
				assert.NotEmpty(t, subject)
				assert.Contains(t, body, m.FilingID)
				assert.NotContains(t, subject+body, "{", "every placeholder is filled")
				// Parameters may be Chinese (a filing number), so look at the template.
				if tmpl := templates[event].en; lang == "en" {
					assert.NotRegexp(t, `\p{Han}`, tmpl.subject+tmpl.body, "English text has no Chinese")
				} else {
					assert.Regexp(t, `\p{Han}`, body)
				}
			})
		}
	}
}

func TestBothLanguagesNeedTheSameParameters(t *testing.T) {
	names := func(s string) []string {
		var out []string
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		return out
	}
	for event, tmpl := range templates {
		assert.ElementsMatch(t, names(tmpl.zh.subject+tmpl.zh.body), names(tmpl.en.subject+tmpl.en.body), event)
	}
}

func TestParametersAppearInTheText(t *testing.T) {
	_, body, err := Render(Message{FilingID: "f-1", Event: EventBureauApproved, Params: sampleParams})
	require.NoError(t, err)
	assert.Equal(t, "您的ICP备案（订单 f-1）已通过管局审核，备案号 浙ICP备2026000001号-2。请按要求在网站底部展示备案号并链接至 beian.miit.gov.cn。", body)

	_, body, err = Render(Message{FilingID: "f-1", Event: EventBackdropShipped, Lang: "en", Params: sampleParams})
	require.NoError(t, err)
	assert.Contains(t, body, "tracking number SF1234567890")
}

func TestMissingParameterIsAnError(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"no tracking number", Message{FilingID: "f-1", Event: EventBackdropShipped}, "missing parameter tracking_number"},
		{"empty filing number", Message{FilingID: "f-1", Event: EventBureauApproved, Lang: "en",
			Params: map[string]string{"filing_number": ""}}, "missing parameter filing_number"},
		{"no filing ID", Message{Event: EventBureauSubmitted}, "missing parameter filing_id"},
		{"unknown event", Message{FilingID: "f-1", Event: "bureau_exploded"}, `unknown event "bureau_exploded"`},
		{"unknown language", Message{FilingID: "f-1", Event: EventOrderCancelled, Lang: "fr"}, `unknown language "fr"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := Render(tt.m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, subject+body)
		})
	}
}
