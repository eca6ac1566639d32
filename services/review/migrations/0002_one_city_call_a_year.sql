-- R4.1: the city bureau runs one open call a year. A database that already holds two city
-- calls of one year (possible before this rule was enforced) keeps them all; the later ones
-- are marked as such and left out of the constraint, which holds from here on.
ALTER TABLE calls ADD COLUMN duplicate_of_year boolean NOT NULL DEFAULT false;
UPDATE calls c SET duplicate_of_year = true
  WHERE c.scope = 'CITY'
    AND EXISTS (SELECT 1 FROM calls e WHERE e.scope = 'CITY' AND e.year = c.year AND e.id < c.id);
CREATE UNIQUE INDEX calls_one_city_call_a_year ON calls (year)
  WHERE scope = 'CITY' AND NOT duplicate_of_year;
