-- Application revisions hold the applicant's data (subject, websites,
-- mailing addresses): personal data that must never enter Temporal. The
-- workflow carries only a revision ID and digest. Rows are immutable: a
-- change is a new revision, so a reference can never change meaning.
CREATE TABLE application_revisions (
    id          TEXT PRIMARY KEY,
    filing_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,          -- 'application' or 'mailing_address'
    body        TEXT NOT NULL,          -- JSON
    digest      TEXT NOT NULL,          -- SHA-256 of body, hex
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_revisions_filing ON application_revisions (filing_id, created_at);

-- One filing in flight per subject: the subject key (a keyed hash of the
-- province, certificate type and number) is held by the running filing.
CREATE TABLE subject_locks (
    subject_key TEXT PRIMARY KEY,
    filing_id   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
