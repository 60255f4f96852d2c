-- The event feed (see the PostgreSQL migration). SQLite has one writer at
-- a time, so positions are taken in commit order and need no txid.
CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    filing_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    data        TEXT NOT NULL,
    UNIQUE (filing_id, seq)
);
CREATE INDEX events_account ON events (account_id, position);
