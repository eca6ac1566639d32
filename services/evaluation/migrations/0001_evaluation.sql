-- The evaluation round of a year Y (R10.1): one per year. Projects and ratings are of Y-1,
-- tests of Y; both years are stored so a round reads the same whatever the calendar says.
CREATE TABLE rounds (
  year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  projects_year int NOT NULL,
  tests_year int NOT NULL,
  include_previous_directory boolean NOT NULL,
  state text NOT NULL
    CHECK (state IN ('OPEN', 'METRICS_FROZEN', 'DEFENCE_SCORED', 'RANKED', 'PUBLISHED')),
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL,
  pulled_at timestamptz,
  frozen_at timestamptz,
  ranked_at timestamptz,
  published_at timestamptz,
  CHECK (projects_year = year - 1 AND tests_year = year)
);

-- Which source answered what at the last pull (one row per source service).
CREATE TABLE snapshot_sources (
  year int NOT NULL REFERENCES rounds (year),
  source text NOT NULL CHECK (source IN ('registry', 'tracking', 'training', 'feedback')),
  method text NOT NULL,
  source_year int NOT NULL,
  pulled_at timestamptz NOT NULL,
  institutions int NOT NULL,
  intake_mode text NOT NULL DEFAULT '',
  as_of text NOT NULL DEFAULT '',
  source_revision text NOT NULL DEFAULT '',
  PRIMARY KEY (year, source)
);

-- The pulled figures of one institution: exactly the inputs of its score sheet (S1.1-S2.2,
-- the S4 tie-break and the exclusion), never changed once the round is frozen.
CREATE TABLE snapshot_institutions (
  year int NOT NULL REFERENCES rounds (year),
  credit_code text NOT NULL,
  display_name text NOT NULL,
  directory_years int[] NOT NULL,
  declared_diagnosis int NOT NULL CHECK (declared_diagnosis >= 0),
  declared_solution_design int NOT NULL CHECK (declared_solution_design >= 0),
  approved_diagnosis int NOT NULL CHECK (approved_diagnosis >= 0),
  approved_solution_design int NOT NULL CHECK (approved_solution_design >= 0),
  excuses_pending int NOT NULL,
  content_very int NOT NULL,
  content_fairly int NOT NULL,
  content_average int NOT NULL,
  content_unsatisfied int NOT NULL,
  result_very int NOT NULL,
  result_fairly int NOT NULL,
  result_average int NOT NULL,
  result_unsatisfied int NOT NULL,
  verified_complaints int NOT NULL,
  verified_serious_complaints int NOT NULL,
  exclusion text NOT NULL CHECK (exclusion IN ('', 'BARRED', 'CANCELLED')),
  -- The sanction that excludes it ("sanctions/17"), '' when none.
  exclusion_source text NOT NULL DEFAULT '',
  PRIMARY KEY (year, credit_code)
);

-- The counted bureau tests of Y per institution (S1.3), in the training service's order.
CREATE TABLE snapshot_tests (
  year int NOT NULL,
  credit_code text NOT NULL,
  seq int NOT NULL,
  session text NOT NULL,
  score_hundredths bigint NOT NULL,
  full_marks_hundredths bigint NOT NULL,
  unexcused_absence boolean NOT NULL,
  PRIMARY KEY (year, credit_code, seq),
  FOREIGN KEY (year, credit_code) REFERENCES snapshot_institutions (year, credit_code)
    ON DELETE CASCADE
);

-- The panel's defence scores (S3) of an institution; an empty array = did not defend.
CREATE TABLE defence_scores (
  year int NOT NULL,
  credit_code text NOT NULL,
  member_scores_hundredths bigint[] NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (year, credit_code),
  FOREIGN KEY (year, credit_code) REFERENCES snapshot_institutions (year, credit_code)
);

-- The computed sheets: position orders the ranking (ranked best first, then the not ranked);
-- sheet is the serialised zhigai.evaluation.v1.ScoreSheet.
CREATE TABLE score_sheets (
  year int NOT NULL REFERENCES rounds (year),
  credit_code text NOT NULL,
  position int NOT NULL,
  excellent boolean NOT NULL,
  sheet bytea NOT NULL,
  PRIMARY KEY (year, credit_code),
  UNIQUE (year, position)
);

-- The exports of the computed round, byte for byte (ExportScoreSheets serves these).
CREATE TABLE round_exports (
  year int NOT NULL REFERENCES rounds (year),
  content text NOT NULL CHECK (content IN ('SCORE_SHEETS', 'RANKING')),
  format text NOT NULL CHECK (format IN ('CSV', 'JSON')),
  body bytea NOT NULL,
  PRIMARY KEY (year, content, format)
);
