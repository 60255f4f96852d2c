package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

var sorts = map[string]store.Sort{
	"created_at": {Field: store.SortCreatedAt}, "-created_at": {Field: store.SortCreatedAt, Desc: true},
	"updated_at": {Field: store.SortUpdatedAt}, "-updated_at": {Field: store.SortUpdatedAt, Desc: true},
	"deadline": {Field: store.SortDeadline}, "-deadline": {Field: store.SortDeadline, Desc: true},
	"since": {Field: store.SortSince}, "-since": {Field: store.SortSince, Desc: true},
}

// stepPattern bounds a step filter to what step names look like; steps are
// not enumerated here because the workflow adds them as it grows.
var stepPattern = regexp.MustCompile(`^[a-z][a-z_]{0,63}$`)

// listParams and queueParams are the query parameters each endpoint knows;
// anything else is refused, because a misspelt filter would otherwise be
// ignored and silently list everything.
var (
	listParams = []string{"account_id", "stage", "province", "filing_type", "waiting_on", "step", "overdue",
		"closed", "created_from", "created_to", "updated_since", "sort", "limit", "cursor"}
	queueParams = []string{"limit", "cursor"}
)

// listFilings answers GET /v1/filings: the read model's filings matching the
// query's filters, a page at a time. Backend callers see their own account
// only; reviewers and support see every account and may narrow to one.
func (s *server) listFilings(c echo.Context) error {
	now := s.Now()
	q, perr := parseListQuery(c.QueryParams(), auth.PrincipalOf(c), now)
	if perr != nil {
		return perr
	}
	rows, next, err := s.list(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := filing.RowPage{Items: make([]filing.Row, len(rows)), NextCursor: next}
	for i, f := range rows {
		out.Items[i] = f.Row(now)
	}
	return c.JSON(http.StatusOK, out)
}

// reviewQueue answers GET /v1/review-queues/:queue: open filings waiting for
// a reviewer's initial-review or photo-review decision, longest waiting
// first, from every account.
func (s *server) reviewQueue(c echo.Context) error {
	page, err := s.queuePage(c, filing.Queue(c.Param("queue")), c.QueryParams())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// queuePage is one page of a review queue with its claims and waits, for
// the API and the workbench.
func (s *server) queuePage(c echo.Context, name filing.Queue, params url.Values) (filing.QueuePage, error) {
	now := s.Now()
	q, perr := parseQueueQuery(name, params, now)
	if perr != nil {
		return filing.QueuePage{}, perr
	}
	// The queue's claims are read beside the listing, not after it: a
	// page costs one round trip to the database, not two.
	type claimsResult struct {
		claims map[filing.ID]store.ReviewClaim
		err    error
	}
	held := make(chan claimsResult, 1)
	go func() {
		cl, err := s.claims.InQueue(c.Request().Context(), string(name), now)
		held <- claimsResult{cl, err}
	}()
	rows, next, err := s.list(c.Request().Context(), q)
	got := <-held
	if err != nil {
		return filing.QueuePage{}, err
	}
	if got.err != nil {
		return filing.QueuePage{}, got.err
	}
	claims := got.claims
	cal := calendar.Default()
	out := filing.QueuePage{Queue: name, Items: make([]filing.QueuedRow, len(rows)), NextCursor: next}
	for i, f := range rows {
		out.Items[i] = filing.QueuedRow{Row: f.Row(now)}
		if cl, ok := claims[filing.ID(f.ID)]; ok {
			exp := cl.ExpiresAt.UTC()
			out.Items[i].ClaimedBy, out.Items[i].ClaimExpiresAt = cl.Reviewer, &exp
		}
		if f.Since != nil {
			days, _ := cal.BusinessDaysBetween(*f.Since, now)
			hours := int(now.Sub(*f.Since).Hours())
			// A wait cannot have begun in the future; clocks of the worker
			// and the API may disagree by a moment.
			days, hours = max(days, 0), max(hours, 0)
			out.Items[i].WaitedBusinessDays, out.Items[i].WaitedHours = &days, &hours
		}
	}
	return out, nil
}

// list runs a listing and maps the store's failures to API errors.
func (s *server) list(ctx context.Context, q store.ListQuery) ([]store.Filing, string, error) {
	rows, next, err := s.filings.List(ctx, q)
	switch {
	case errors.Is(err, store.ErrBadCursor):
		return nil, "", httpx.BadRequest(filing.CodeInvalidCursor, "cursor",
			"the cursor does not belong to this listing (filters, sort or account changed, or it was altered); start again without it")
	case errors.Is(err, store.ErrBadListQuery):
		// The parsers check everything the store does; this is our bug.
		return nil, "", fmt.Errorf("list filings: %w", err)
	case err != nil:
		s.Log.ErrorContext(ctx, "listing filings", "err", err)
		return nil, "", httpx.Unavailable("the database")
	}
	return rows, next, nil
}

// parseListQuery turns GET /v1/filings's query parameters into a store
// query for the caller p at instant now.
func parseListQuery(v url.Values, p auth.Principal, now time.Time) (store.ListQuery, *httpx.Error) {
	fail := func(e *httpx.Error) (store.ListQuery, *httpx.Error) { return store.ListQuery{}, e }
	if e := checkParams(v, listParams); e != nil {
		return fail(e)
	}
	q := store.ListQuery{Now: now, Sort: store.Sort{Field: store.SortCreatedAt, Desc: true}}

	account, e := single(v, "account_id")
	if e != nil {
		return fail(e)
	}
	switch p.Role {
	case RoleBackend:
		// A backend key sees its own account and nothing else, whatever it
		// asks for; a key bound to no account sees nothing.
		if p.AccountID == "" {
			return fail(&httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
				Message: "this API key is not bound to a provider account"})
		}
		if account != "" && account != p.AccountID {
			return fail(&httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden, Field: "account_id",
				Message: "this API key lists its own provider account only"})
		}
		q.AccountID = p.AccountID
	case RoleReviewer, RoleSupport:
		if account != "" && !accountIDPattern.MatchString(account) {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "account_id",
				"account_id must be 1-64 letters, digits or _.:- and start with a letter or digit"))
		}
		q.AccountID = account
	default:
		// Listing across accounts is never the default: without a known
		// role the caller sees nothing.
		return fail(&httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
			Message: "this API key's role may not list filings"})
	}

	for _, raw := range v["stage"] {
		for part := range strings.SplitSeq(raw, ",") {
			st := filing.Stage(strings.TrimSpace(part))
			if !st.Valid() {
				return fail(httpx.BadRequest(filing.CodeInvalidValue, "stage", "stage must be one of %s", joinStages()))
			}
			if !slices.Contains(q.Stages, string(st)) {
				q.Stages = append(q.Stages, string(st))
			}
		}
	}

	if province, e := single(v, "province"); e != nil {
		return fail(e)
	} else if province != "" {
		pr, ok := rules.LookupProvince(province)
		if !ok {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "province", "province must be an ISO 3166-2:CN code such as ZJ or CN-ZJ"))
		}
		q.Province = pr.Code
	}
	if ft, e := single(v, "filing_type"); e != nil {
		return fail(e)
	} else if ft != "" {
		if !filing.Type(ft).Valid() {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "filing_type", "filing_type is not a known filing type"))
		}
		q.FilingType = ft
	}
	if party, e := single(v, "waiting_on"); e != nil {
		return fail(e)
	} else if party != "" {
		if !filing.Party(party).Valid() {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "waiting_on",
				"waiting_on must be one of applicant, reviewer, courier, bureau, provider"))
		}
		q.WaitingOn = party
	}
	if step, e := single(v, "step"); e != nil {
		return fail(e)
	} else if step != "" {
		if !stepPattern.MatchString(step) {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "step", "step must be a step name such as awaiting_reviewer"))
		}
		q.Step = step
	}
	if q.Overdue, e = boolParam(v, "overdue"); e != nil {
		return fail(e)
	}
	if q.Closed, e = boolParam(v, "closed"); e != nil {
		return fail(e)
	}
	if q.CreatedFrom, e = timeParam(v, "created_from"); e != nil {
		return fail(e)
	}
	if q.CreatedTo, e = timeParam(v, "created_to"); e != nil {
		return fail(e)
	}
	if q.UpdatedSince, e = timeParam(v, "updated_since"); e != nil {
		return fail(e)
	}
	if q.CreatedFrom != nil && q.CreatedTo != nil && !q.CreatedFrom.Before(*q.CreatedTo) {
		return fail(httpx.BadRequest(filing.CodeInvalidValue, "created_to", "created_to must be after created_from"))
	}
	if sort, e := single(v, "sort"); e != nil {
		return fail(e)
	} else if sort != "" {
		st, ok := sorts[sort]
		if !ok {
			return fail(httpx.BadRequest(filing.CodeInvalidValue, "sort",
				"sort must be one of created_at, updated_at, deadline, since, each optionally prefixed with - for descending"))
		}
		q.Sort = st
	}
	if q.Limit, q.Cursor, e = pageParams(v); e != nil {
		return fail(e)
	}
	return q, nil
}

// parseQueueQuery turns a reviewer queue's name and query parameters into a
// store query: open filings in the queue's stage and step, longest waiting
// first (ties by filing ID).
func parseQueueQuery(name filing.Queue, v url.Values, now time.Time) (store.ListQuery, *httpx.Error) {
	stage, step, ok := name.Wait()
	if !ok {
		return store.ListQuery{}, &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeRouteNotFound,
			Message: "no such review queue; the queues are initial and photo"}
	}
	if e := checkParams(v, queueParams); e != nil {
		return store.ListQuery{}, e
	}
	open := false
	q := store.ListQuery{Stages: []string{string(stage)}, Step: string(step), Closed: &open, Now: now,
		Sort: store.Sort{Field: store.SortSince}}
	var e *httpx.Error
	if q.Limit, q.Cursor, e = pageParams(v); e != nil {
		return store.ListQuery{}, e
	}
	return q, nil
}

// checkParams refuses parameters the endpoint does not know, naming the
// first in alphabetical order so the answer does not vary between requests.
func checkParams(v url.Values, known []string) *httpx.Error {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(known, name) {
			return httpx.BadRequest(filing.CodeUnknownField, name, "unknown query parameter %q", name)
		}
	}
	return nil
}

// single returns a parameter given at most once; "" when absent. A repeated
// or empty parameter is refused rather than guessed at.
func single(v url.Values, name string) (string, *httpx.Error) {
	vals, ok := v[name]
	switch {
	case !ok:
		return "", nil
	case len(vals) > 1:
		return "", httpx.BadRequest(filing.CodeInvalidValue, name, "give %s once", name)
	case strings.TrimSpace(vals[0]) == "":
		return "", httpx.BadRequest(filing.CodeInvalidValue, name, "%s must not be empty; leave it out instead", name)
	}
	return strings.TrimSpace(vals[0]), nil
}

func boolParam(v url.Values, name string) (*bool, *httpx.Error) {
	s, e := single(v, name)
	if e != nil || s == "" {
		return nil, e
	}
	switch s {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, httpx.BadRequest(filing.CodeInvalidValue, name, "%s must be true or false", name)
}

func timeParam(v url.Values, name string) (*time.Time, *httpx.Error) {
	s, e := single(v, name)
	if e != nil || s == "" {
		return nil, e
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil && strings.Contains(s, " ") {
		// An unencoded "+08:00" arrives as " 08:00": a query string decodes
		// + as a space, and a timestamp never holds one.
		t, err = time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+"))
	}
	if err != nil {
		return nil, httpx.BadRequest(filing.CodeInvalidValue, name, "%s must be an RFC 3339 time such as 2026-09-01T00:00:00+08:00", name)
	}
	return &t, nil
}

// pageParams reads limit (default 50, 1..200) and cursor.
func pageParams(v url.Values) (limit int, cursor string, e *httpx.Error) {
	limit = store.DefaultListLimit
	s, e := single(v, "limit")
	if e != nil {
		return 0, "", e
	}
	if s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxListLimit {
			return 0, "", httpx.BadRequest(filing.CodeInvalidValue, "limit", "limit must be a whole number from 1 to %d", store.MaxListLimit)
		}
		limit = n
	}
	if cursor, e = single(v, "cursor"); e != nil {
		return 0, "", e
	}
	return limit, cursor, nil
}

func joinStages() string {
	names := make([]string, len(filing.Stages()))
	for i, s := range filing.Stages() {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
