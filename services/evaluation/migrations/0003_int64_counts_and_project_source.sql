-- Issue 21 item 11: counts are int64 end to end (tracking's metrics and the snapshot held int
-- before), and each institution's snapshot row says which tracking data state and which policy
-- platform rows its project figures came from (ScoreSheet.project_source). Rows from before
-- keep '' (their round's SourcePull.source_revision still names the data state).
ALTER TABLE snapshot_institutions
  ALTER COLUMN declared_diagnosis TYPE bigint,
  ALTER COLUMN declared_solution_design TYPE bigint,
  ALTER COLUMN approved_diagnosis TYPE bigint,
  ALTER COLUMN approved_solution_design TYPE bigint,
  ALTER COLUMN content_very TYPE bigint,
  ALTER COLUMN content_fairly TYPE bigint,
  ALTER COLUMN content_average TYPE bigint,
  ALTER COLUMN content_unsatisfied TYPE bigint,
  ALTER COLUMN result_very TYPE bigint,
  ALTER COLUMN result_fairly TYPE bigint,
  ALTER COLUMN result_average TYPE bigint,
  ALTER COLUMN result_unsatisfied TYPE bigint,
  ALTER COLUMN verified_complaints TYPE bigint,
  ALTER COLUMN verified_serious_complaints TYPE bigint,
  ADD COLUMN project_source text NOT NULL DEFAULT '';
