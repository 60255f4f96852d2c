package filing

import "time"

// ApplicationRead answers GET /v1/filings/{id}/application: one saved
// revision of the application, the filing's revisions, and, for a revision
// saved after the last rejection, what changed since the revision that was
// rejected. Reading it is recorded in the filing's access log.
type ApplicationRead struct {
	RevisionID  string      `json:"revision_id"`
	Digest      string      `json:"digest"`
	SavedAt     time.Time   `json:"saved_at"`
	Application Application `json:"application"`
	// Revisions are every saved revision of the filing, oldest first.
	Revisions []RevisionRef `json:"revisions"`
	// ComparedWith is the revision the last rejection was made on, when
	// the revision read was saved after it; Changes are the differences
	// from it, in form order. Empty when there is nothing to compare.
	ComparedWith string        `json:"compared_with,omitempty"`
	Changes      []FieldChange `json:"changes"`
}

// RevisionRef is one saved revision of an application.
type RevisionRef struct {
	RevisionID string    `json:"revision_id"`
	SavedAt    time.Time `json:"saved_at"`
	// Current says the workflow's state refers to this revision.
	Current bool `json:"current"`
}

// FieldChange is one value that differs between two revisions, by the
// JSON path of Application ("websites[0].name"); Before or After is absent
// where the value was added or removed.
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// MaterialsRead answers GET /v1/filings/{id}/materials: the attached
// materials and verification photos with short-lived download URLs.
// Issuing each URL is recorded in the filing's access log.
type MaterialsRead struct {
	Materials []MaterialRead `json:"materials"`
}

// MaterialRead is one attached material or photo, as verified when it was
// attached (size, SHA-256, type and limits), with a presigned GET.
type MaterialRead struct {
	Kind       MaterialKind `json:"kind"`
	ObjectKey  string       `json:"object_key"`
	Size       int64        `json:"size,omitempty"`
	SHA256     string       `json:"sha256,omitempty"`
	AttachedAt *time.Time   `json:"attached_at,omitempty"`
	// Person is the responsible person a photo shows (a keyed hash, see
	// PersonVerification.Person); empty for documents.
	Person string `json:"person,omitempty"`
	// Verified says the document store's checks passed when it was
	// attached: only verified materials are attached.
	Verified bool `json:"verified"`
	// DownloadURL is a presigned GET, valid until DownloadExpiresAt.
	DownloadURL       string    `json:"download_url"`
	DownloadExpiresAt time.Time `json:"download_expires_at"`
}

// AccessLog answers GET /v1/filings/{id}/access-log, every read of the
// filing's personal data outside the workflow, and GET /v1/access-log,
// one reader's reads across filings a page at a time (NextCursor, given
// back as ?cursor=, fetches the next); both oldest first.
type AccessLog struct {
	Reads      []PersonalDataRead `json:"reads"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// PersonalDataRead is one read: who ("role:key"), what (a document or
// revision, never the data) and when.
type PersonalDataRead struct {
	// FilingID is set in a reader's log, which spans filings.
	FilingID ID        `json:"filing_id,omitempty"`
	Actor    string    `json:"actor"`
	What     string    `json:"what"`
	At       time.Time `json:"at"`
}

// ReasonCatalogue answers GET /v1/review-reasons: the reasons reviewers
// reject from, by queue. A rejection names reasons by code; the filing's
// state then carries the catalogue's texts.
type ReasonCatalogue struct {
	Version string            `json:"version"`
	Reasons []CatalogueReason `json:"reasons"`
}

// CatalogueReason is one reason of the catalogue.
type CatalogueReason struct {
	Code  string `json:"code"`
	Queue Queue  `json:"queue"`
	// Field is the part of the application it points at; "[]" stands for
	// any index ("websites[].name").
	Field string  `json:"field"`
	Text  Message `json:"text"`
	Hint  Message `json:"hint"`
}
