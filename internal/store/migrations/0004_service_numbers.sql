-- 备案服务号 (service numbers): codes tying a filing to a cloud instance.
-- A number is generated for an instance (bound), taken by a filing in
-- progress (in_use) and spent for good when that filing is approved
-- (consumed); a cancelled or expired filing gives it back (bound again).
-- Rows are never deleted, because the per-instance quota counts every number
-- ever generated, consumed ones included. No personal data here.
CREATE TABLE service_numbers (
    number      TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    -- The account that generated the number; a filing of another account
    -- may still use it (cross-account grant), so this is not checked on use.
    account_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    -- The filing holding the number: empty exactly when it is bound.
    filing_id   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT service_numbers_status CHECK (status IN ('bound', 'in_use', 'consumed')),
    CONSTRAINT service_numbers_filing CHECK ((status = 'bound') = (filing_id = ''))
);
-- The quota check counts an instance's numbers.
CREATE INDEX service_numbers_instance ON service_numbers (instance_id);
