-- See migrations/postgres/0010_filings_listing.sql for why each index
-- exists. The partial indexes' WHERE must read exactly as the queries'
-- condition ("NOT closed"): SQLite matches it by form.
DROP INDEX IF EXISTS filings_account_created;
CREATE INDEX filings_account_created_id ON filings (account_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS filings_stage;
CREATE INDEX filings_stage_created_id ON filings (stage, created_at DESC, id DESC);
CREATE INDEX filings_created_id ON filings (created_at DESC, id DESC);
CREATE INDEX filings_open_stage_step_since ON filings (stage, step, since, id) WHERE NOT closed;
CREATE INDEX filings_open_deadline ON filings (deadline, id) WHERE NOT closed;
