-- Every change of a directory entry during its year keeps its reason, its business date and
-- who made it (R4.1: the city bureau adjusts the directory during the year); the entry's own
-- row keeps only the last. Entries from before this migration get their admission and, if they
-- changed since, their current state (earlier reasons were overwritten and cannot be restored).
CREATE TABLE directory_entry_changes (
  entry_id bigint NOT NULL REFERENCES directory_entries (id),
  version bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'REMOVED')),
  reason text NOT NULL,
  change_date date NOT NULL,
  actor text NOT NULL,
  actor_role text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (entry_id, version)
);
INSERT INTO directory_entry_changes (entry_id, version, status, reason, change_date, actor,
                                     actor_role, at)
  SELECT id, 1, 'ACTIVE', 'admitted: ' || source, (created_at AT TIME ZONE 'Asia/Shanghai')::date,
         '', '', created_at FROM directory_entries;
INSERT INTO directory_entry_changes (entry_id, version, status, reason, change_date, actor,
                                     actor_role, at)
  SELECT id, version, status, status_reason, (updated_at AT TIME ZONE 'Asia/Shanghai')::date,
         '', '', updated_at FROM directory_entries WHERE version > 1;
