-- State of the sandbox "outside world" that `make run` and the tests use in
-- place of the provincial bureau's filing gateway and the backdrop courier.
-- Each row is one request, keyed by the caller's idempotency key so a retried
-- call finds its original instead of submitting or shipping twice. The
-- sandbox schedules every outcome when the request arrives, so the state at
-- any instant follows from the row and the clock, and survives restarts.
-- No personal data: the application and the recipient's name, mobile and
-- address stay out; only the flags the sandbox derived from them are kept.

CREATE TABLE sandbox_bureau_submissions (
    idempotency_key   TEXT PRIMARY KEY,
    receipt_id        TEXT NOT NULL UNIQUE,
    filing_id         TEXT NOT NULL,
    -- 1 for the filing's first submission; markers in the website name act
    -- on particular attempts only (see package bureau).
    attempt           INTEGER NOT NULL,
    province          TEXT NOT NULL,
    filing_type       TEXT NOT NULL,
    sms_required      BOOLEAN NOT NULL,
    submitted_at      TIMESTAMPTZ NOT NULL,
    -- Scheduled at submission; at most one of the two SMS columns is set.
    sms_verified_at   TIMESTAMPTZ,
    sms_returned_at   TIMESTAMPTZ,
    -- 'approved' or 'rejected' at decided_at; '' and NULL when the review
    -- never decides or never starts.
    decision          TEXT NOT NULL DEFAULT '',
    decided_at        TIMESTAMPTZ,
    -- The state last delivered to the push listener; '' before the first.
    last_pushed_state TEXT NOT NULL DEFAULT ''
);
-- One attempt number per filing: concurrent submissions of one filing under
-- different keys cannot both become attempt 1.
CREATE UNIQUE INDEX sandbox_bureau_submissions_filing_attempt
    ON sandbox_bureau_submissions (filing_id, attempt);

CREATE TABLE sandbox_shipments (
    idempotency_key   TEXT PRIMARY KEY,
    tracking_number   TEXT NOT NULL UNIQUE,
    filing_id         TEXT NOT NULL,
    requested_at      TIMESTAMPTZ NOT NULL,
    -- Scheduled at creation; Track reports them once they have passed.
    shipped_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ NOT NULL,
    last_pushed_state TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sandbox_shipments_filing ON sandbox_shipments (filing_id);
