-- Provider accounts' webhook endpoints, and the delivery of each event of
-- the feed to each endpoint that takes it. Secrets are sealed by the
-- key-encryption key (never in clear).
CREATE TABLE webhook_endpoints (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL,
    url                  TEXT NOT NULL,
    event_types          TEXT NOT NULL,
    secret               TEXT NOT NULL,
    previous_secret      TEXT NOT NULL DEFAULT '',
    previous_until       TIMESTAMPTZ,
    status               TEXT NOT NULL,
    disabled_reason      TEXT NOT NULL DEFAULT '',
    disabled_at          TIMESTAMPTZ,
    failing_since        TIMESTAMPTZ,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, status);

-- One row per event and endpoint. A filing's rows for an endpoint go out
-- in seq order: a row is claimed only when no earlier one is pending.
CREATE TABLE webhook_deliveries_out (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    filing_id       TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    retry_until     TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    -- The last redelivery by hand: who (support:<key>), when and why.
    redelivered_by     TEXT NOT NULL DEFAULT '',
    redelivered_at     TIMESTAMPTZ,
    redelivery_reason  TEXT NOT NULL DEFAULT '',
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries_out (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries_out (endpoint_id, filing_id, seq);
