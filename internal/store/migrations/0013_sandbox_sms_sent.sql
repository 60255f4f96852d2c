-- When the sandbox bureau's MIIT side sends the SMS code: the 24-hour
-- verification window runs from here, not from the submission.
ALTER TABLE sandbox_bureau_submissions ADD COLUMN sms_sent_at TIMESTAMPTZ;
