-- See migrations/postgres/0007_outbox.sql for the meaning of each column,
-- constraint and index.
CREATE TABLE outbox_messages (
    id              TEXT PRIMARY KEY,
    dedup_key       TEXT NOT NULL UNIQUE,
    filing_id       TEXT NOT NULL,
    event           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    lang            TEXT NOT NULL DEFAULT '',
    params          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    locked_until    TIMESTAMP,
    CONSTRAINT outbox_messages_status CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT outbox_messages_sent_at CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_messages_status_created ON outbox_messages (status, created_at);
