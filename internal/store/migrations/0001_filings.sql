-- The filings read model: one row per filing, written only by the filing
-- workflow (through an activity) at every stage change. It serves listings
-- and the state of closed filings; live state comes from a workflow query.
-- No personal data here: names, IDs, phones and addresses stay out.
CREATE TABLE filings (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    province      TEXT NOT NULL,
    filing_type   TEXT NOT NULL,
    domain        TEXT NOT NULL,
    stage         TEXT NOT NULL,
    waiting_on    TEXT NOT NULL DEFAULT '',
    -- Monotonic counter from the workflow; an update carrying an older
    -- revision than the stored one is stale (a retried activity) and ignored.
    revision      BIGINT NOT NULL,
    workflow_id   TEXT NOT NULL,
    closed        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX filings_account_created ON filings (account_id, created_at DESC);
CREATE INDEX filings_stage ON filings (stage);
