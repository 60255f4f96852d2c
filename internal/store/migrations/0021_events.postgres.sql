-- The event feed: what happened to each filing, for provider backends
-- (GET /v1/events, webhooks). position orders the feed; seq numbers a
-- filing's events from 1. txid is the writing transaction: the feed lists
-- only events of transactions older than every one still running
-- (pg_snapshot_xmin), so a reader never skips an event whose position was
-- taken by a transaction that commits after a later one.
CREATE TABLE events (
    position    BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    filing_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    type        TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    data        TEXT NOT NULL,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (filing_id, seq)
);
CREATE INDEX events_account ON events (account_id, position);
