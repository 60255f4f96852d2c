-- PostgreSQL's part of 0010_filings_listing.sql, run after it: SQLite has
-- no extended statistics.

-- The planner assumes columns are independent, but a step belongs to one
-- stage and open filings cluster in a few stages: it estimated a reviewer
-- queue of 850 rows at 9, and read the queue with a bitmap scan and a sort
-- of the whole queue instead of the queue index in order. Statistics on the
-- columns together correct the estimate (ANALYZE fills them).
CREATE STATISTICS filings_stage_step_closed (dependencies, mcv) ON stage, step, closed FROM filings;
