-- See migrations/postgres/0001_filings.sql for the meaning of each column.
CREATE TABLE filings (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    province      TEXT NOT NULL,
    filing_type   TEXT NOT NULL,
    domain        TEXT NOT NULL,
    stage         TEXT NOT NULL,
    waiting_on    TEXT NOT NULL DEFAULT '',
    revision      INTEGER NOT NULL,
    workflow_id   TEXT NOT NULL,
    closed        BOOLEAN NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX filings_account_created ON filings (account_id, created_at DESC);
CREATE INDEX filings_stage ON filings (stage);
