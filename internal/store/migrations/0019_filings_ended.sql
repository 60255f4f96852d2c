-- Retention: ended filings by when they ended (their last update), for the
-- sweep that erases their personal data once the retention has passed.
CREATE INDEX filings_closed_updated ON filings (updated_at, id) WHERE closed;
