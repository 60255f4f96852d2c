-- See migrations/postgres/0003_sandbox_world.sql for the meaning of each column.
CREATE TABLE sandbox_bureau_submissions (
    idempotency_key   TEXT PRIMARY KEY,
    receipt_id        TEXT NOT NULL UNIQUE,
    filing_id         TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    province          TEXT NOT NULL,
    filing_type       TEXT NOT NULL,
    sms_required      BOOLEAN NOT NULL,
    submitted_at      TIMESTAMP NOT NULL,
    sms_verified_at   TIMESTAMP,
    sms_returned_at   TIMESTAMP,
    decision          TEXT NOT NULL DEFAULT '',
    decided_at        TIMESTAMP,
    last_pushed_state TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sandbox_bureau_submissions_filing_attempt
    ON sandbox_bureau_submissions (filing_id, attempt);

CREATE TABLE sandbox_shipments (
    idempotency_key   TEXT PRIMARY KEY,
    tracking_number   TEXT NOT NULL UNIQUE,
    filing_id         TEXT NOT NULL,
    requested_at      TIMESTAMP NOT NULL,
    shipped_at        TIMESTAMP NOT NULL,
    delivered_at      TIMESTAMP NOT NULL,
    last_pushed_state TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sandbox_shipments_filing ON sandbox_shipments (filing_id);
