-- RULES.md S4 (2026-12): the sanctions are read again when the ranking is computed and when
-- it is published; the set the ranking used is kept so that a publication whose sanctions
-- changed since can be refused until the ranking is recomputed. '' before any ranking.
ALTER TABLE rounds ADD COLUMN ranking_sanctions text NOT NULL DEFAULT '';
