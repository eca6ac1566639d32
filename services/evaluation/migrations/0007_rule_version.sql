-- Issue 26: the version of the score-sheet rules (data/score-rules.tsv) a round is scored
-- under, recorded when it is opened. Rounds before this migration were scored under version 1,
-- the only one there was.
ALTER TABLE rounds ADD COLUMN rule_version int NOT NULL DEFAULT 1 CHECK (rule_version >= 1);
