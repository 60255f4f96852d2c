-- The notification outbox (package outbox): one row per message per
-- recipient channel, written in the same transaction as the stage change it
-- announces and delivered afterwards by outbox senders in every worker.
-- recipient is personal data (a phone number or e-mail address): it is kept
-- here because the message must reach it, and nowhere else, never in logs.
-- last_error holds an error class and provider code only, never the
-- provider's text (which may quote the recipient).
CREATE TABLE outbox_messages (
    id              TEXT PRIMARY KEY,
    -- The caller's key, e.g. <filing_id>/<event>/<revision>/<channel>:
    -- enqueuing a key that exists does nothing, so a retried activity
    -- cannot queue a message twice. No personal data.
    dedup_key       TEXT NOT NULL UNIQUE,
    filing_id       TEXT NOT NULL,
    event           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    lang            TEXT NOT NULL DEFAULT '',
    params          TEXT NOT NULL,          -- JSON object
    status          TEXT NOT NULL,
    -- Delivery attempts whose outcome was recorded.
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    -- The lease of the sender delivering the row; NULL or past when free.
    -- It is also the sender's token: a sender records an outcome only while
    -- the row still carries the lease value it wrote.
    locked_until    TIMESTAMPTZ,
    CONSTRAINT outbox_messages_status CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT outbox_messages_sent_at CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
-- Senders look for due pending rows; sent and failed rows stay out of it.
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'pending';
-- Operators list failed messages, newest first, and count by status.
CREATE INDEX outbox_messages_status_created ON outbox_messages (status, created_at);
