-- Manufacturing enterprises (R12). Searchable facts are columns; the whole resource is the
-- serialised zhigai.tracking.v1 message (bytea) so a read is one row.
CREATE TABLE enterprises (
  credit_code text PRIMARY KEY,
  division_code text NOT NULL,
  body bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprises_division ON enterprises (division_code, credit_code);

-- Needs and their assignments (R12.2).
CREATE TABLE needs (
  id bigserial PRIMARY KEY,
  enterprise_credit_code text NOT NULL REFERENCES enterprises (credit_code),
  division_code text NOT NULL,
  state text NOT NULL CHECK (state IN ('OPEN', 'ASSIGNED', 'SERVED', 'CLOSED')),
  -- The institution of the current (pending or accepted) assignment, '' when none.
  assignee text NOT NULL DEFAULT '',
  body bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0)
);
CREATE INDEX needs_division ON needs (division_code, id);
CREATE INDEX needs_enterprise ON needs (enterprise_credit_code, id);
CREATE INDEX needs_assignee ON needs (assignee, id) WHERE assignee <> '';

-- Engagements (R12.1, R14.1-R14.3); history and documents live in the body.
CREATE TABLE engagements (
  id bigserial PRIMARY KEY,
  institution_credit_code text NOT NULL,
  enterprise_credit_code text NOT NULL REFERENCES enterprises (credit_code),
  division_code text NOT NULL,
  state text NOT NULL,
  need_id bigint REFERENCES needs (id),
  body bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0)
);
CREATE INDEX engagements_division ON engagements (division_code, id);
CREATE INDEX engagements_institution ON engagements (institution_credit_code, id);
CREATE INDEX engagements_enterprise ON engagements (enterprise_credit_code, id);

-- One value per committed intake batch: stamped on the rows it wrote, so the highest stamp of
-- a year identifies the data state the metrics were computed from (source_revision).
CREATE SEQUENCE intake_seq;

-- The policy platform's projects at their newest revision (S1.1, S1.2). `year` and
-- `approved_by_both` are computed by the domain (project_metrics.h, project_record.h) when the
-- row is written, so the SQL aggregates never restate those decisions.
CREATE TABLE projects (
  project_id text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision > 0),
  content_hash text NOT NULL,
  institution_credit_code text NOT NULL,
  enterprise_credit_code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('DIAGNOSIS', 'SOLUTION_DESIGN')),
  declaration_date date NOT NULL,
  year int NOT NULL,
  city_outcome text NOT NULL,
  city_outcome_date date,
  county_outcome text NOT NULL,
  county_outcome_date date,
  approved_by_both boolean NOT NULL,
  subsidy_fen bigint NOT NULL CHECK (subsidy_fen >= 0),
  change_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX projects_year ON projects (year, institution_credit_code);

-- Counts mode (issue 12): every distinct revision the platform sent, kept for ever, including
-- one that arrives after a newer one (STALE): so the history, like the current figures, is the
-- same whatever order two revisions arrive in.
CREATE TABLE project_count_revisions (
  year int NOT NULL,
  institution_credit_code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('DIAGNOSIS', 'SOLUTION_DESIGN')),
  revision bigint NOT NULL CHECK (revision > 0),
  declared bigint NOT NULL CHECK (declared >= 0),
  approved_by_both bigint NOT NULL CHECK (approved_by_both >= 0 AND approved_by_both <= declared),
  content_hash text NOT NULL,
  platform_as_of timestamptz,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (year, institution_credit_code, kind, revision)
);

-- The revision of each (year, institution, kind) that feeds the figures: the highest.
CREATE TABLE project_counts (
  year int NOT NULL,
  institution_credit_code text NOT NULL,
  kind text NOT NULL,
  revision bigint NOT NULL,
  declared bigint NOT NULL,
  approved_by_both bigint NOT NULL,
  platform_as_of timestamptz,
  received_at timestamptz NOT NULL,
  change_seq bigint NOT NULL,
  PRIMARY KEY (year, institution_credit_code, kind)
);

-- Which intake feeds a year's metrics; a year without a row uses RECORDS.
CREATE TABLE intake_settings (
  year int PRIMARY KEY,
  mode text NOT NULL CHECK (mode IN ('RECORDS', 'COUNTS')),
  version bigint NOT NULL CHECK (version > 0),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- The platform's year claims and what they found.
CREATE TABLE reconciliations (
  id bigserial PRIMARY KEY,
  year int NOT NULL,
  matched boolean NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX reconciliations_year ON reconciliations (year, id);

-- A need is served by at most one live engagement (R12.2).
CREATE UNIQUE INDEX engagements_need_live ON engagements (need_id)
  WHERE need_id IS NOT NULL AND state <> 'CANCELLED';
