-- Recipients are sealed with their filing's data key; operators see the
-- masked form, kept beside it so that listing failures needs no key.
ALTER TABLE outbox_messages ADD COLUMN recipient_masked TEXT NOT NULL DEFAULT '';
