-- Issue 26: objections to a published round, recorded with their outcome. An upheld objection
-- publishes a corrected ranking; the publication before it moves to superseded_sheets and
-- superseded_exports, where it stays readable by its number. Never an edit in place.
ALTER TABLE rounds ADD COLUMN publication int NOT NULL DEFAULT 0;
UPDATE rounds SET publication = 1 WHERE state = 'PUBLISHED';

CREATE TABLE round_objections (
  id bigserial PRIMARY KEY,
  year int NOT NULL REFERENCES rounds (year),
  credit_code text NOT NULL,
  state text NOT NULL
    CHECK (state IN ('OBJECTION_PENDING', 'OBJECTION_UPHELD', 'OBJECTION_REJECTED')),
  -- The serialised zhigai.evaluation.v1.RoundObjection (reason, corrections, decision).
  body bytea NOT NULL,
  version bigint NOT NULL DEFAULT 1
);
CREATE INDEX round_objections_year ON round_objections (year, id);

CREATE TABLE superseded_sheets (
  year int NOT NULL REFERENCES rounds (year),
  publication int NOT NULL,
  credit_code text NOT NULL,
  position int NOT NULL,
  excellent boolean NOT NULL,
  sheet bytea NOT NULL,
  PRIMARY KEY (year, publication, credit_code),
  UNIQUE (year, publication, position)
);

CREATE TABLE superseded_exports (
  year int NOT NULL REFERENCES rounds (year),
  publication int NOT NULL,
  content text NOT NULL,
  format text NOT NULL,
  body bytea NOT NULL,
  PRIMARY KEY (year, publication, content, format)
);
