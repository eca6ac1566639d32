-- Issue 28: the round's scope as the pull decided it, in or out and why, so that an auditor can
-- read which institutions the snapshot holds and which it left out. Replaced with each pull,
-- like the rest of the snapshot. entries: "year|status|directoryEntries/id" joined by ';'.
CREATE TABLE snapshot_scope (
  year int NOT NULL,
  credit_code text NOT NULL,
  display_name text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('IN_DIRECTORY', 'REMOVED_BUT_SANCTIONED',
                                         'REMOVED_FROM_DIRECTORY')),
  entries text NOT NULL,
  PRIMARY KEY (year, credit_code)
);
