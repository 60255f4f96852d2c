-- See migrations/postgres/0004_service_numbers.sql for the meaning of each
-- column and constraint.
CREATE TABLE service_numbers (
    number      TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    filing_id   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CONSTRAINT service_numbers_status CHECK (status IN ('bound', 'in_use', 'consumed')),
    CONSTRAINT service_numbers_filing CHECK ((status = 'bound') = (filing_id = ''))
);
CREATE INDEX service_numbers_instance ON service_numbers (instance_id);
