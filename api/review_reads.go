package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
)

// What reviewers read to decide: the application, the materials and the
// photos, each read recorded in the filing's access log (PIPL: who saw
// which personal data, when).

// readApplication answers GET /v1/filings/{id}/application[?revision=ID]:
// the current revision by default, with what changed since the revision
// the last rejection was made on.
func (s *server) readApplication(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	out, err := s.applicationRead(c, id, c.QueryParam("revision"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// applicationRead reads a revision of the filing's application (the
// current one for ""), with what changed since the rejected revision, and
// records the read.
func (s *server) applicationRead(c echo.Context, id filing.ID, revision string) (filing.ApplicationRead, error) {
	ctx := c.Request().Context()
	revs, err := s.apps.Revisions(ctx, id, store.KindApplication)
	if err != nil {
		return filing.ApplicationRead{}, err
	}
	if len(revs) == 0 {
		return filing.ApplicationRead{}, &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeRevisionNotFound,
			Message: "the filing has no saved application yet"}
	}
	st, live := s.stateForReading(ctx, id)
	current := revs[len(revs)-1].ID
	if live && st.Application != nil {
		current = st.Application.RevisionID
	}
	want := current
	if revision != "" {
		want = revision
	}
	i := slices.IndexFunc(revs, func(r store.ApplicationRevision) bool { return r.ID == want })
	if i < 0 {
		return filing.ApplicationRead{}, &httpx.Error{Status: http.StatusNotFound, Code: filing.CodeRevisionNotFound, Field: "revision",
			Message: "the filing has no such revision"}
	}
	var app filing.Application
	if err := s.apps.Load(ctx, id, revs[i].ID, store.KindApplication, revs[i].Digest, &app); errors.Is(err, envelope.ErrErased) {
		return filing.ApplicationRead{}, personalDataErased()
	} else if err != nil {
		return filing.ApplicationRead{}, fmt.Errorf("read application of filing %s: %w", id, err)
	}
	out := filing.ApplicationRead{RevisionID: revs[i].ID, Digest: revs[i].Digest, SavedAt: revs[i].CreatedAt.UTC(),
		Application: app, Changes: []filing.FieldChange{}}
	for _, r := range revs {
		out.Revisions = append(out.Revisions, filing.RevisionRef{RevisionID: r.ID, SavedAt: r.CreatedAt.UTC(), Current: r.ID == current})
	}
	if live && st.LastRejection != nil {
		// The revision under review when the filing was rejected is the
		// newest one saved before the rejection.
		rejected := -1
		for j, r := range revs {
			if !r.CreatedAt.After(st.LastRejection.At) {
				rejected = j
			}
		}
		if rejected >= 0 && rejected < i {
			var before filing.Application
			if err := s.apps.Load(ctx, id, revs[rejected].ID, store.KindApplication, revs[rejected].Digest, &before); err != nil {
				return filing.ApplicationRead{}, fmt.Errorf("read application of filing %s: %w", id, err)
			}
			out.ComparedWith = revs[rejected].ID
			out.Changes = applicationChanges(before, app)
		}
	}
	if err := s.recordReads(c, id, "application revision "+out.RevisionID); err != nil {
		return filing.ApplicationRead{}, err
	}
	return out, nil
}

// readMaterials answers GET /v1/filings/{id}/materials: every attached
// material and verification photo with a download URL valid for minutes.
func (s *server) readMaterials(c echo.Context) error {
	id, oerr := s.ownedFiling(c)
	if oerr != nil {
		return oerr
	}
	ctx := c.Request().Context()
	st, live := s.stateForReading(ctx, id)
	if !live {
		return notFound(id)
	}
	if s.erased(ctx, id) {
		return personalDataErased() // the documents are gone from S3
	}
	out := filing.MaterialsRead{Materials: []filing.MaterialRead{}}
	var whats []string
	for _, m := range materialsOf(st) {
		m.DownloadURL, m.DownloadExpiresAt = s.downloadURL(c, m.ObjectKey)
		out.Materials = append(out.Materials, m)
		whats = append(whats, readOf(m))
	}
	// Every URL is recorded before any is handed out, in one insert.
	if err := s.recordReads(c, id, whats...); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// accessLog answers GET /v1/filings/{id}/access-log (support): who read
// which of the filing's personal data, and when.
func (s *server) accessLog(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	reads, err := s.reads.List(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := filing.AccessLog{Reads: make([]filing.PersonalDataRead, len(reads))}
	for i, r := range reads {
		out.Reads[i] = filing.PersonalDataRead{Actor: r.Actor, What: r.What, At: r.At.UTC()}
	}
	return c.JSON(http.StatusOK, out)
}

// readerLog answers GET /v1/access-log?actor=… (support): who saw what —
// one reader's reads across filings, oldest first, a page at a time.
func (s *server) readerLog(c echo.Context) error {
	v := c.QueryParams()
	if e := checkParams(v, []string{"actor", "since", "until", "limit", "cursor"}); e != nil {
		return e
	}
	actor, e := single(v, "actor")
	if e != nil {
		return e
	}
	if actor == "" {
		return httpx.BadRequest(filing.CodeRequired, "actor", "name the reader: actor=role:key, as the filings' logs show it")
	}
	since, e := timeParam(v, "since")
	if e != nil {
		return e
	}
	until, e := timeParam(v, "until")
	if e != nil {
		return e
	}
	limit, cursor, e := pageParams(v)
	if e != nil {
		return e
	}
	if _, err := uuid.Parse(cursor); cursor != "" && err != nil {
		return httpx.BadRequest(filing.CodeInvalidCursor, "cursor", "not a cursor of this log")
	}
	q := store.ReadsQuery{Actor: actor, After: cursor, Limit: limit + 1}
	if since != nil {
		q.Since = *since
	}
	if until != nil {
		q.Until = *until
	}
	reads, err := s.reads.ByActor(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := filing.AccessLog{Reads: []filing.PersonalDataRead{}}
	if len(reads) > limit {
		reads = reads[:limit]
		out.NextCursor = reads[limit-1].ID
	}
	for _, r := range reads {
		out.Reads = append(out.Reads, filing.PersonalDataRead{FilingID: r.FilingID, Actor: r.Actor, What: r.What, At: r.At.UTC()})
	}
	return c.JSON(http.StatusOK, out)
}

// personalDataErased answers for a filing whose personal data was erased.
func personalDataErased() *httpx.Error {
	return &httpx.Error{Status: http.StatusGone, Code: filing.CodePersonalDataErased,
		Message: "the filing's personal data was erased; its state and timeline remain"}
}

// erased says the filing's personal data was erased.
func (s *server) erased(ctx context.Context, id filing.ID) bool {
	if s.Eraser == nil {
		return false
	}
	_, gone, err := s.Eraser.Keys.ErasedAt(ctx, id)
	return err == nil && gone
}

// recordReads appends reads of the filing's personal data by the caller.
func (s *server) recordReads(c echo.Context, id filing.ID, whats ...string) error {
	return s.reads.Record(c.Request().Context(), id, actorOf(c), s.Now(), whats...)
}

// stateForReading is the filing's state, live or final; false when the
// workflow cannot say (gone, or Temporal down).
func (s *server) stateForReading(ctx context.Context, id filing.ID) (filing.State, bool) {
	st, err := s.client.State(ctx, id)
	if err == nil {
		return st, true
	}
	var closed *filings.ClosedError
	if errors.As(err, &closed) && closed.Completed() {
		if final, ferr := s.client.Final(ctx, id); ferr == nil {
			return final, true
		}
	}
	return filing.State{}, false
}

// applicationChanges lists the values that differ between two revisions,
// by JSON path, in the order of the newer revision and then of values only
// the older one had.
func applicationChanges(before, after filing.Application) []filing.FieldChange {
	b, a := flatten(before), flatten(after)
	bByPath, aByPath := byPath(b), byPath(a)
	out := []filing.FieldChange{}
	for _, kv := range a {
		old, ok := bByPath[kv.path]
		switch {
		case !ok:
			out = append(out, filing.FieldChange{Field: kv.path, After: kv.value})
		case old != kv.value: // leaves are strings, json.Numbers and true
			out = append(out, filing.FieldChange{Field: kv.path, Before: old, After: kv.value})
		}
	}
	for _, kv := range b {
		if _, ok := aByPath[kv.path]; !ok {
			out = append(out, filing.FieldChange{Field: kv.path, Before: kv.value})
		}
	}
	return out
}

type flatValue struct {
	path  string
	value any
}

// flatten walks the JSON form of v into leaf values by path, in document
// order of the struct fields.
func flatten(v any) []flatValue {
	raw, _ := json.Marshal(v)
	var out []flatValue
	walkJSON(raw, "", &out)
	return out
}

func walkJSON(raw json.RawMessage, path string, out *[]flatValue) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, _ := dec.Token()
			var child json.RawMessage
			if err := dec.Decode(&child); err != nil {
				return
			}
			walkJSON(child, joinPath(path, kt.(string)), out)
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			var child json.RawMessage
			if err := dec.Decode(&child); err != nil {
				return
			}
			walkJSON(child, path+"["+strconv.Itoa(i)+"]", out)
		}
	default:
		if tok == nil || tok == "" || tok == false {
			return // absent and empty values are the same to a reviewer
		}
		*out = append(*out, flatValue{path, tok})
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func byPath(vs []flatValue) map[string]any {
	m := make(map[string]any, len(vs))
	for _, v := range vs {
		m[v.path] = v.value
	}
	return m
}
