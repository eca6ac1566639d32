-- R8.1 Decision (2026-12): a test session is closed by the bureau; at close every expected
-- institution without a result is recorded as an unexcused absence, marked as such so that
-- the score sheet can say why the test counts 0.
ALTER TABLE test_sessions ADD COLUMN closed_at timestamptz;
ALTER TABLE test_results ADD COLUMN no_result_at_close boolean NOT NULL DEFAULT false;
