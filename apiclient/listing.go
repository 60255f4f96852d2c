package apiclient

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Sort orders a listing; a leading "-" is descending.
type Sort string

// Sort orders of ListFilings.
const (
	SortCreatedAt     Sort = "created_at"
	SortCreatedAtDesc Sort = "-created_at"
	SortUpdatedAt     Sort = "updated_at"
	SortUpdatedAtDesc Sort = "-updated_at"
	SortDeadline      Sort = "deadline"
	SortDeadlineDesc  Sort = "-deadline"
	SortSince         Sort = "since"
	SortSinceDesc     Sort = "-since"
)

// ListFilingsParams filters and pages ListFilings. Zero fields are not
// sent, so the server's defaults apply. A backend key sees only its own
// account's filings whatever the filters say.
type ListFilingsParams struct {
	// Stages matches any of these stages (sent comma-separated).
	Stages     []filing.Stage
	Province   string
	FilingType filing.Type
	WaitingOn  filing.Party
	Step       filing.Step
	// Overdue and Closed filter when not nil.
	Overdue *bool
	Closed  *bool
	// CreatedFrom and CreatedTo bound the creation time when not zero.
	CreatedFrom time.Time
	CreatedTo   time.Time
	Sort        Sort
	// Limit is the page size; 0 takes the server's default.
	Limit int
	// Cursor is a previous page's NextCursor, valid only with the same
	// filters; Filings follows it for you.
	Cursor    string
	AccountID string
}

// query encodes the parameters as the server's query string.
func (p ListFilingsParams) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	stages := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		stages[i] = string(s)
	}
	set("stage", strings.Join(stages, ","))
	set("province", p.Province)
	set("filing_type", string(p.FilingType))
	set("waiting_on", string(p.WaitingOn))
	set("step", string(p.Step))
	if p.Overdue != nil {
		set("overdue", strconv.FormatBool(*p.Overdue))
	}
	if p.Closed != nil {
		set("closed", strconv.FormatBool(*p.Closed))
	}
	if !p.CreatedFrom.IsZero() {
		set("created_from", p.CreatedFrom.UTC().Format(time.RFC3339Nano))
	}
	if !p.CreatedTo.IsZero() {
		set("created_to", p.CreatedTo.UTC().Format(time.RFC3339Nano))
	}
	set("sort", string(p.Sort))
	if p.Limit > 0 {
		set("limit", strconv.Itoa(p.Limit))
	}
	set("cursor", p.Cursor)
	set("account_id", p.AccountID)
	return q
}

// ListFilings returns one page of filings (GET /v1/filings). A stale or
// foreign cursor is refused with filing.CodeInvalidCursor.
func (c *Client) ListFilings(ctx context.Context, p ListFilingsParams, opts ...CallOption) (*filing.RowPage, error) {
	return call[filing.RowPage](ctx, c, http.MethodGet, "/v1/filings", p.query(), nil, opts)
}

// Filings iterates over every filing matching p, fetching pages as the loop
// needs them, starting at p.Cursor. A failed page is yielded as the error
// and ends the iteration; breaking out of the loop fetches nothing more.
func (c *Client) Filings(ctx context.Context, p ListFilingsParams, opts ...CallOption) iter.Seq2[filing.Row, error] {
	return paginate(p.Cursor, func(cursor string) ([]filing.Row, string, error) {
		q := p // p stays as given, so ranging again starts over
		q.Cursor = cursor
		page, err := c.ListFilings(ctx, q, opts...)
		if err != nil {
			return nil, "", err
		}
		return page.Items, page.NextCursor, nil
	})
}

// ReviewQueue returns one page of a review queue, oldest wait first (GET
// /v1/review-queues/{queue}). limit 0 takes the server's default; cursor
// is a previous page's NextCursor or empty.
func (c *Client) ReviewQueue(ctx context.Context, queue filing.Queue, limit int, cursor string, opts ...CallOption) (*filing.QueuePage, error) {
	if queue == "" {
		return nil, errors.New("beianflow: empty review queue name")
	}
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return call[filing.QueuePage](ctx, c, http.MethodGet, "/v1/review-queues/"+url.PathEscape(string(queue)), q, nil, opts)
}

// ReviewQueueItems iterates over a whole review queue in pages of limit,
// like Filings.
func (c *Client) ReviewQueueItems(ctx context.Context, queue filing.Queue, limit int, opts ...CallOption) iter.Seq2[filing.QueuedRow, error] {
	return paginate("", func(cursor string) ([]filing.QueuedRow, string, error) {
		page, err := c.ReviewQueue(ctx, queue, limit, cursor, opts...)
		if err != nil {
			return nil, "", err
		}
		return page.Items, page.NextCursor, nil
	})
}

// paginate yields the items of page after page, following the cursor
// until a page has none. A server that hands back the cursor it was given
// would loop forever, so that is an error.
func paginate[T any](first string, fetch func(cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for cursor := first; ; {
			items, next, err := fetch(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if next == cursor {
				var zero T
				yield(zero, errors.New("beianflow: listing returned the cursor it was given; stopping to avoid a loop"))
				return
			}
			cursor = next
		}
	}
}
