-- Issue 21 item 11 (issue 12's promise): a counts row may carry an as-of instant instead of a
-- revision. Such a key is ordered by the instant (stored in `revision` as microseconds since
-- 1970) and flagged here, so that a key never mixes the two orders (ORDERING_MIXED). Rows
-- from before all carried revisions.
ALTER TABLE project_count_revisions ADD COLUMN ordered_by_as_of boolean NOT NULL DEFAULT false;
ALTER TABLE project_counts ADD COLUMN ordered_by_as_of boolean NOT NULL DEFAULT false;
