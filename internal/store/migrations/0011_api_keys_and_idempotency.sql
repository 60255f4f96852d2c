-- API keys. A key is shown once when created: bfk_<id>_<secret>. Only the
-- SHA-256 of the secret is stored; the secret is 32 random bytes, so a fast
-- hash is enough (nothing to brute-force, unlike passwords). Revoked keys
-- stay for the record.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,
    role         TEXT NOT NULL,           -- backend, reviewer or support
    account_id   TEXT NOT NULL DEFAULT '', -- the provider account of a backend key
    name         TEXT NOT NULL DEFAULT '', -- what the key is for, not who holds it
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

-- Responses to POST requests that carried an Idempotency-Key, kept 24 h so
-- a retried request gets the first answer. status 0 marks a request still
-- being handled. Scoped per API key: two callers' keys never collide.
CREATE TABLE idempotency_keys (
    api_key_id    TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    body_sha256   TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    response      BYTEA,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
