-- The audit trail: every event of every filing, append-only. The workflow
-- numbers its events, so a write retried after a crash hits the primary key
-- and changes nothing. Reasons are codes and reviewers' messages, never
-- personal data; actors are roles with opaque IDs.
CREATE TABLE filing_events (
    filing_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_stage  TEXT NOT NULL DEFAULT '',
    to_stage    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    reasons     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (filing_id, seq)
);
