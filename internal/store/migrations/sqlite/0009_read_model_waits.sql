-- See migrations/postgres/0009_read_model_waits.sql.
ALTER TABLE filings ADD COLUMN step TEXT NOT NULL DEFAULT '';
ALTER TABLE filings ADD COLUMN since TIMESTAMP;
ALTER TABLE filings ADD COLUMN deadline TIMESTAMP;
ALTER TABLE filings ADD COLUMN deadline_business_days INTEGER NOT NULL DEFAULT 0;
