-- The verification forms (真实性核验单) issued for filings: a serial per
-- distinct content of a filing's form, so downloading the same form again
-- gives the same serial, and an uploaded scan is tied to its filing by the
-- serial it shows. No personal data: the digest is of the printed content.
CREATE TABLE verification_forms (
    serial         TEXT PRIMARY KEY,
    filing_id      TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (filing_id, content_digest)
);

-- Reads of personal data outside the workflow: who read what of which
-- filing, and when. Append-only; what is a document name, never the data.
CREATE TABLE personal_data_reads (
    id        TEXT PRIMARY KEY,
    filing_id TEXT NOT NULL,
    actor     TEXT NOT NULL,
    what      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX personal_data_reads_filing ON personal_data_reads (filing_id, at);
