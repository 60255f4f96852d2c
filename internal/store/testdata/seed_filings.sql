-- The synthetic filings of the listing benchmark and plan test (see
-- seedFilings in listing_test.go). Parameters: now, then the row count.
WITH g AS (
    SELECT i, random() AS r_stage, random() AS r_closed, random() AS r_step, random() AS r_acc, random() AS r_prov,
           random() AS r_since, random() AS r_deadline, md5(i::text) AS h,
           CAST(? AS timestamptz) AS now,
           random() * 365 AS age_days
    FROM generate_series(1, ?) AS i
), s AS (
    SELECT g.*,
           now - age_days * interval '1 day' AS created_at,
           CASE WHEN age_days > 60 OR (age_days > 30 AND r_closed < 0.5) THEN
                     CASE WHEN r_stage < 0.80 THEN 'approved' WHEN r_stage < 0.90 THEN 'cancelled' ELSE 'expired' END
                WHEN r_stage < 0.10 THEN 'product_verification'
                WHEN r_stage < 0.35 THEN 'information'
                WHEN r_stage < 0.47 THEN 'initial_review'
                WHEN r_stage < 0.65 THEN 'photo_verification'
                WHEN r_stage < 0.69 THEN 'bureau_submission'
                WHEN r_stage < 0.74 THEN 'sms_verification'
                ELSE 'bureau_review' END AS stage
    FROM g
), w AS (
    SELECT s.*,
           stage IN ('approved', 'cancelled', 'expired') AS closed,
           CASE stage
                WHEN 'initial_review' THEN CASE WHEN r_step < 0.85 THEN 'awaiting_reviewer' ELSE 'automated_checks' END
                WHEN 'photo_verification' THEN CASE WHEN r_step < 0.30 THEN 'photo_review'
                                                    WHEN r_step < 0.55 THEN 'awaiting_photo'
                                                    WHEN r_step < 0.80 THEN 'in_transit'
                                                    ELSE 'awaiting_mailing_address' END
                WHEN 'information' THEN 'awaiting_application'
                WHEN 'product_verification' THEN 'awaiting_product'
                WHEN 'bureau_review' THEN 'awaiting_decision'
                WHEN 'sms_verification' THEN 'awaiting_sms'
                WHEN 'bureau_submission' THEN 'awaiting_window'
                ELSE '' END AS step
    FROM s
), p AS (
    SELECT w.*,
           CASE WHEN closed THEN ''
                WHEN step IN ('awaiting_reviewer', 'photo_review') THEN 'reviewer'
                WHEN step IN ('automated_checks', 'awaiting_window') THEN 'provider'
                WHEN step = 'in_transit' THEN 'courier'
                WHEN stage = 'bureau_review' THEN 'bureau'
                ELSE 'applicant' END AS waiting_on,
           -- How long such a wait lasts at most: reviews a few days (a
           -- backlog), the SMS window a day, the bureau up to 20 business
           -- days, the applicant until the order expires after 45 days.
           CASE WHEN step IN ('awaiting_reviewer', 'photo_review') THEN interval '4 days'
                WHEN stage = 'sms_verification' THEN interval '2 days'
                WHEN stage = 'bureau_review' THEN interval '30 days'
                WHEN step IN ('automated_checks', 'awaiting_window') THEN interval '2 days'
                WHEN step = 'in_transit' THEN interval '6 days'
                ELSE interval '44 days' END AS longest
    FROM w
), t AS (
    SELECT p.*,
           CASE WHEN closed THEN NULL ELSE now - LEAST(now - created_at, longest) * r_since END AS since
    FROM p
), d AS (
    SELECT t.*,
           CASE WHEN closed THEN NULL
                WHEN waiting_on = 'reviewer' THEN since + interval '1 day' + r_deadline * interval '2 days'
                WHEN stage = 'bureau_review' THEN since + interval '20 days' + r_deadline * interval '8 days'
                WHEN stage = 'sms_verification' THEN since + interval '1 day'
                WHEN waiting_on = 'applicant' THEN since + interval '45 days'
                ELSE NULL END AS deadline,
           CASE WHEN closed THEN 0 WHEN waiting_on = 'reviewer' THEN 1 WHEN stage = 'bureau_review' THEN 20 ELSE 0 END AS bdays,
           -- A UUIDv7-shaped ID: creation milliseconds, then random bits.
           lpad(to_hex((extract(epoch FROM created_at) * 1000)::bigint), 12, '0') AS ms
    FROM t
)
INSERT INTO filings (id, account_id, province, filing_type, domain, stage, step, waiting_on, since, deadline,
                     deadline_business_days, revision, workflow_id, closed, created_at, updated_at,
                     rule_set_version, calendar_version)
SELECT substr(ms, 1, 8) || '-' || substr(ms, 9, 4) || '-7' || substr(h, 1, 3) || '-' ||
           substr('89ab', 1 + (i % 4), 1) || substr(h, 4, 3) || '-' || substr(h, 7, 12),
       'acc-' || lpad(floor(50 * r_acc * r_acc)::int::text, 2, '0'),
       (ARRAY['BJ','TJ','HE','SX','NM','LN','JL','HL','SH','JS','ZJ','AH','FJ','JX','SD','HA',
              'HB','HN','GD','GX','HI','CQ','SC','GZ','YN','XZ','SN','GS','QH','NX','XJ'])[1 + floor(r_prov * 31)::int],
       CASE WHEN i % 10 = 0 THEN 'first_filing' ELSE 'new_website_elsewhere' END,
       'site' || i || '.example.com',
       stage, step, waiting_on, since, deadline, bdays,
       1 + (i % 17),
       'filing-' || i,
       closed,
       created_at,
       COALESCE(since, LEAST(now, created_at + r_since * interval '50 days')),
       'rules-2026.1', 'cal-2026.1'
FROM d
-- In creation order, as production inserts them: the planner's estimates
-- depend on how the table's physical order correlates with created_at.
ORDER BY created_at
