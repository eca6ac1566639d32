-- R8.1 Decision (2026-12): a result missing at an open test session is not yet an absence, so
-- the snapshot keeps how many there were (freezing waits for the sessions to close), and each
-- pulled test says whether its absence is a result missing at the close (the sheet says so).
ALTER TABLE snapshot_institutions ADD COLUMN test_results_missing bigint NOT NULL DEFAULT 0;
ALTER TABLE snapshot_tests ADD COLUMN no_result_at_close boolean NOT NULL DEFAULT false;
