-- Who saw what: a reader's reads across filings, in the order recorded.
CREATE INDEX personal_data_reads_actor ON personal_data_reads (actor, id);
