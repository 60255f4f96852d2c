package api

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/sample"
)

// What a reviewer is shown after a resubmission: each changed value by its
// path, added and removed values too, nothing else.
func TestApplicationChangesAreTheChangedValuesByPath(t *testing.T) {
	before := sample.ValidApplication()
	after := sample.ValidApplication()
	assert.Empty(t, applicationChanges(before, after), "no change, no changes")

	after.Websites[0].Name = "云栖云计算技术文档"
	after.Subject.MailingAddress.Detail = "文三路90号东部软件园2号楼"
	after.Remarks = "此地址已是最详细地址"
	after.Websites = after.Websites[:1]
	got := applicationChanges(before, after)
	var fields []string
	for _, c := range got {
		fields = append(fields, c.Field)
	}
	assert.Equal(t, filing.FieldChange{Field: "subject.mailing_address.detail", Before: before.Subject.MailingAddress.Detail, After: after.Subject.MailingAddress.Detail}, got[0])
	assert.Contains(t, fields, "websites[0].name")
	assert.Contains(t, fields, "remarks")
	assert.Contains(t, fields, "websites[1].domain", "a removed website's values are listed as removed")
	for _, c := range got {
		if c.Field == "websites[1].domain" {
			assert.Nil(t, c.After)
			assert.Equal(t, before.Websites[1].Domain, c.Before)
		}
	}
}
