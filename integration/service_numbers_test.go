package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

// The seed ties one 备案服务号 to one website: a filing with two websites
// holds two numbers of its instance once the application passes the
// automated checks, and the approval consumes both.
func TestEachWebsiteOfAFilingGetsItsOwnServiceNumberOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-two.com", "云栖科技官网")
	blog := s.app.Websites[0]
	blog.Domain, blog.HomepageURL, blog.Name = "yunqi-two-blog.com", "https://www.yunqi-two-blog.com/", "云栖技术博客"
	s.app.Websites = append(s.app.Websites, blog)
	body, err := json.Marshal(s.app)
	require.NoError(t, err)
	mustOK(t, doAt(t, s.base, http.MethodPut, s.path("/application"), "application/json", string(body)))

	s.throughInitialReview()
	st := s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	numbers, _ := st["service_numbers"].([]any)
	require.Len(t, numbers, 2, "%v", st["service_numbers"])
	byDomain := map[string]string{}
	for _, n := range numbers {
		m := n.(map[string]any)
		byDomain[m["domain"].(string)] = m["number"].(string)
	}
	assert.Equal(t, st["service_number"], byDomain["yunqi-two.com"], "the started-for website keeps its number")
	require.NotEmpty(t, byDomain["yunqi-two-blog.com"])
	assert.NotEqual(t, byDomain["yunqi-two.com"], byDomain["yunqi-two-blog.com"])

	s.throughBackdrop()
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	s.wait(filing.StageApproved, filing.StepNone)
	for domain, number := range byDomain {
		var row struct{ Status, Website, FilingID string }
		require.NoError(t, sys.app.DB.Gorm.Table("service_numbers").Where("number = ?", number).Take(&row).Error)
		assert.Equal(t, "consumed", row.Status, domain)
		assert.Equal(t, domain, row.Website)
		assert.Equal(t, s.id, row.FilingID)
	}
}
