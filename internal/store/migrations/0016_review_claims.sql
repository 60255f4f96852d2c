-- Review claims: the reviewer working on a filing in a review queue. One
-- row per filing, so no two reviewers hold the same filing; a claim past
-- expires_at may be taken by anyone. reviewer is "role:key", never a name.
CREATE TABLE review_claims (
    filing_id  TEXT PRIMARY KEY,
    queue      TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_claims_expiry ON review_claims (expires_at);
