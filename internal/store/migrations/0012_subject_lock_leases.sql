-- A subject lock starts as a lease: the request creating the filing holds
-- it while it starts the filing's workflow, and nobody may take it over
-- before lease_until, however slow that start. The workflow claims the lock
-- as its first step (claimed); from then on only a closed workflow loses
-- it. Locks from before this migration have no lease and are unclaimed:
-- they are taken over, as before, once their filing no longer runs.
ALTER TABLE subject_locks ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE subject_locks ADD COLUMN claimed BOOLEAN NOT NULL DEFAULT FALSE;
