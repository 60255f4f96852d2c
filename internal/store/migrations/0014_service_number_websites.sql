-- One 备案服务号 per website (the seed ties a code to a website): a number
-- in use or consumed names the website (its ASCII domain) it serves; empty
-- exactly when bound, like filing_id.
ALTER TABLE service_numbers ADD COLUMN website TEXT NOT NULL DEFAULT '';
