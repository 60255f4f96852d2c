package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
)

// ReviewClaim is a reviewer's hold on a filing in a review queue.
type ReviewClaim struct {
	FilingID  filing.ID `gorm:"primaryKey"`
	Queue     string
	Reviewer  string
	ClaimedAt time.Time
	ExpiresAt time.Time
}

// ErrClaimHeld says another reviewer holds an unexpired claim on the
// filing; the error's claim says who and until when.
var ErrClaimHeld = errors.New("store: the filing is claimed by another reviewer")

// ClaimHeldError carries the claim that refused a new one.
type ClaimHeldError struct{ Claim ReviewClaim }

func (e *ClaimHeldError) Error() string {
	return fmt.Sprintf("%v: %s until %s", ErrClaimHeld, e.Claim.Reviewer, e.Claim.ExpiresAt.Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrClaimHeld) true.
func (e *ClaimHeldError) Unwrap() error { return ErrClaimHeld }

// ReviewClaims stores review claims.
type ReviewClaims struct{ db *DB }

// NewReviewClaims returns the repository over db.
func NewReviewClaims(db *DB) *ReviewClaims { return &ReviewClaims{db: db} }

// Claim gives reviewer the filing until now+ttl: a new claim, a renewal
// of the reviewer's own, or a takeover of an expired one. It is one
// conditional upsert, so of reviewers racing for a filing exactly one
// wins; the others get a *ClaimHeldError.
func (r *ReviewClaims) Claim(ctx context.Context, id filing.ID, queue, reviewer string, now time.Time, ttl time.Duration) (ReviewClaim, error) {
	c := ReviewClaim{FilingID: id, Queue: queue, Reviewer: reviewer, ClaimedAt: now.UTC(), ExpiresAt: now.Add(ttl).UTC()}
	res := r.db.Gorm.WithContext(ctx).Exec(`INSERT INTO review_claims (filing_id, queue, reviewer, claimed_at, expires_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (filing_id) DO UPDATE SET queue = excluded.queue, reviewer = excluded.reviewer,
			claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
		WHERE review_claims.expires_at <= ? OR review_claims.reviewer = excluded.reviewer`,
		c.FilingID, c.Queue, c.Reviewer, c.ClaimedAt, c.ExpiresAt, c.ClaimedAt)
	if res.Error != nil {
		return ReviewClaim{}, fmt.Errorf("store: claim filing %s: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return c, nil
	}
	held, err := r.Get(ctx, id, now)
	if err != nil {
		return ReviewClaim{}, err
	}
	return ReviewClaim{}, &ClaimHeldError{Claim: held}
}

// Get returns the filing's unexpired claim, or ErrNotFound.
func (r *ReviewClaims) Get(ctx context.Context, id filing.ID, now time.Time) (ReviewClaim, error) {
	var c ReviewClaim
	err := r.db.Gorm.WithContext(ctx).Where("filing_id = ? AND expires_at > ?", id, now.UTC()).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ReviewClaim{}, ErrNotFound
	}
	if err != nil {
		return ReviewClaim{}, fmt.Errorf("store: claim of filing %s: %w", id, err)
	}
	return c, nil
}

// InQueue returns the unexpired claims of a queue, by filing. Claims are
// few (one per reviewer at work), and the query needs no page of the queue
// first, so the API runs it beside the queue's listing.
func (r *ReviewClaims) InQueue(ctx context.Context, queue string, now time.Time) (map[filing.ID]ReviewClaim, error) {
	var cs []ReviewClaim
	if err := r.db.Gorm.WithContext(ctx).Where("expires_at > ? AND queue = ?", now.UTC(), queue).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("store: claims of queue %s: %w", queue, err)
	}
	out := make(map[filing.ID]ReviewClaim, len(cs))
	for _, c := range cs {
		out[c.FilingID] = c
	}
	return out, nil
}

// Release ends reviewer's claim on the filing; releasing a claim one does
// not hold changes nothing.
func (r *ReviewClaims) Release(ctx context.Context, id filing.ID, reviewer string) error {
	q := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", id)
	if reviewer != "" {
		q = q.Where("reviewer = ?", reviewer)
	}
	if err := q.Delete(&ReviewClaim{}).Error; err != nil {
		return fmt.Errorf("store: release claim of filing %s: %w", id, err)
	}
	return nil
}
