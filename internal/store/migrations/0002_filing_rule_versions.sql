-- Which province rule set and holiday calendar a filing was checked and
-- scheduled with; rows from before this migration have none recorded.
ALTER TABLE filings ADD COLUMN rule_set_version TEXT NOT NULL DEFAULT '';
ALTER TABLE filings ADD COLUMN calendar_version TEXT NOT NULL DEFAULT '';
