-- Indexes for listing filings (store.Filings.List) and the reviewer queues,
-- sized for 100,000+ rows. Every listing pages by seeking past the last
-- row's (sort value, id), so each index ends in id: the filing ID breaks ties
-- and the seek is one index range, without sorting. B-tree indexes are read
-- backwards as cheaply as forwards, so one index serves both directions.
-- Built inside the migration transaction (no CONCURRENTLY): writes to
-- filings wait for the build, which takes about a second at 100,000 rows.
-- The partial indexes' WHERE must read exactly as the queries' condition
-- ("NOT closed"): SQLite matches it by form.

-- A backend lists its own account, newest first: the default listing. The
-- index from 0001 lacked id, so ties on created_at were sorted per query and
-- the cursor seek could not be an index range.
DROP INDEX IF EXISTS filings_account_created;
CREATE INDEX filings_account_created_id ON filings (account_id, created_at DESC, id DESC);

-- Support and reviewers filter by stage ("all filings in bureau_review"),
-- newest first. It also answers every lookup by stage alone, so the
-- stage-only index from 0001 goes.
DROP INDEX IF EXISTS filings_stage;
CREATE INDEX filings_stage_created_id ON filings (stage, created_at DESC, id DESC);

-- Listings across all accounts, newest first or within a created_at range
-- (support staff, reports).
CREATE INDEX filings_created_id ON filings (created_at DESC, id DESC);

-- Reviewer queues: filings waiting in one stage and step (initial_review /
-- awaiting_reviewer, photo_verification / photo_review), oldest wait first.
-- Partial: closed filings, most of the table, never wait for anyone.
CREATE INDEX filings_open_stage_step_since ON filings (stage, step, since, id) WHERE NOT closed;

-- Overdue filings: open ones whose wait's deadline has passed, most overdue
-- first. Partial for the same reason; closed filings keep no deadline worth
-- chasing.
CREATE INDEX filings_open_deadline ON filings (deadline, id) WHERE NOT closed;
