-- Each filing's data key, wrapped by a key-encryption key (base64; never
-- in clear). A row whose wrapped key is NULL records that the filing's
-- personal data was erased: destroying the key made it unreadable
-- everywhere (crypto-shredding).
CREATE TABLE filing_keys (
    filing_id  TEXT PRIMARY KEY,
    kek_id     TEXT NOT NULL,
    wrapped    TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    erased_at  TIMESTAMPTZ
);
CREATE INDEX filing_keys_kek ON filing_keys (kek_id, filing_id);
