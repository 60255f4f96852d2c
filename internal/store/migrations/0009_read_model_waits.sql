-- What a filing waits for, recorded whenever the wait changes (not only at
-- stage changes): listings filter on it, reviewer queues sort by since, and
-- "overdue" is deadline < now. Rows written before this migration, or by
-- filings started before the workflow recorded waits, leave them empty.
ALTER TABLE filings ADD COLUMN step TEXT NOT NULL DEFAULT '';
ALTER TABLE filings ADD COLUMN since TIMESTAMPTZ;
ALTER TABLE filings ADD COLUMN deadline TIMESTAMPTZ;
ALTER TABLE filings ADD COLUMN deadline_business_days INTEGER NOT NULL DEFAULT 0;
