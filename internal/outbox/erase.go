package outbox

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
)

// ForgetRecipients blanks the recipients and parameters of a filing's
// messages, whatever their status, when its personal data is erased; a
// message still pending is failed rather than sent to nobody. It returns
// how many messages it touched.
func ForgetRecipients(ctx context.Context, db *store.DB, id filing.ID) (int64, error) {
	res := db.Gorm.WithContext(ctx).Model(&record{}).Where("filing_id = ?", id).Updates(map[string]any{
		"recipient": "", "recipient_masked": "", "params": "{}", "locked_until": nil,
		"status":     gorm.Expr("CASE WHEN status = ? THEN ? ELSE status END", StatusPending, StatusFailed),
		"last_error": gorm.Expr("CASE WHEN status = ? THEN ? ELSE last_error END", StatusPending, "permanent: personal data erased"),
	})
	if res.Error != nil {
		return 0, fmt.Errorf("outbox: forget the recipients of filing %s: %w", id, res.Error)
	}
	return res.RowsAffected, nil
}
