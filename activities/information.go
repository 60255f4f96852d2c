package activities

import (
	"context"
	"fmt"

	"github.com/beianflow/beianflow/filing"
)

// VerifyMaterialRequest names an uploaded object and what the client
// declared about it.
type VerifyMaterialRequest struct {
	FilingID  filing.ID           `json:"filing_id"`
	ObjectKey string              `json:"object_key"`
	Kind      filing.MaterialKind `json:"kind"`
	Size      int64               `json:"size"`
	SHA256    string              `json:"sha256"`
}

// MaterialVerdict is the outcome of a verification: OK, or a stable reason
// and an actionable message.
type MaterialVerdict struct {
	OK          bool   `json:"ok"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// VerifyMaterial checks an upload: it exists, its size and SHA-256 match
// the declaration, its bytes are what its type claims and the kind's limits
// hold. A bad upload is a verdict, not an error; S3 being down is an error,
// retried.
func (a *Activities) VerifyMaterial(ctx context.Context, r VerifyMaterialRequest) (MaterialVerdict, error) {
	v, err := a.Documents.Verify(ctx, r.ObjectKey, r.Kind, r.Size, r.SHA256)
	if err != nil {
		return MaterialVerdict{}, fmt.Errorf("verify material of filing %s: %w", r.FilingID, err)
	}
	return MaterialVerdict{OK: v.OK, Reason: v.Reason, Message: v.Message, ContentType: v.ContentType}, nil
}
