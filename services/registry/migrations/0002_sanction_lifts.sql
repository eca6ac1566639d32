-- When a sanction was lifted, by whom, and from which business day it no longer applies: a
-- lift ends a sanction early (RULES.md R14.5, 2026-12: an institution whose bar has ended or
-- was lifted can be barred again). Sanctions lifted before this migration were treated as
-- never in force; their lift day is their first day, which keeps that meaning.
ALTER TABLE sanctions ADD COLUMN lift_date date;
ALTER TABLE sanctions ADD COLUMN lifted_by text NOT NULL DEFAULT '';
ALTER TABLE sanctions ADD COLUMN lift_time timestamptz;
UPDATE sanctions SET lift_date = start_date WHERE lifted;
ALTER TABLE sanctions ADD CONSTRAINT sanctions_lift_date CHECK (lifted = (lift_date IS NOT NULL));
