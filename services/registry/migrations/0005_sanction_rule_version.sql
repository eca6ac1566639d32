-- Issue 26: the version of the sanction rules (data/sanction-rules.tsv) a sanction's term was
-- computed under: the one in force on its first day. Sanctions imposed before the rules became
-- data were computed with version 1's figures.
ALTER TABLE sanctions ADD COLUMN rule_version integer NOT NULL DEFAULT 1
  CONSTRAINT sanctions_rule_version CHECK (rule_version >= 1);
ALTER TABLE sanctions ALTER COLUMN rule_version DROP DEFAULT;
