-- Institutions with the full Attachment 1 profile. Searchable facts are columns; the whole
-- profile is the serialised zhigai.registry.v1.Institution (bytea) so reads are one row.
CREATE TABLE institutions (
  credit_code text PRIMARY KEY,
  display_name text NOT NULL,
  legal_form text NOT NULL,
  division_code text NOT NULL DEFAULT '',
  directions text[] NOT NULL,
  profile bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX institutions_division ON institutions (division_code, credit_code);

-- Every accepted version of a profile, with who made it (the change history).
CREATE TABLE institution_revisions (
  credit_code text NOT NULL REFERENCES institutions (credit_code),
  version bigint NOT NULL,
  profile bytea NOT NULL,
  actor text NOT NULL,
  actor_role text NOT NULL,
  method text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (credit_code, version)
);

CREATE TABLE consortia (
  id bigserial PRIMARY KEY,
  display_name text NOT NULL,
  lead_credit_code text NOT NULL,
  body bytea NOT NULL,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE consortium_members (
  consortium_id bigint NOT NULL REFERENCES consortia (id),
  credit_code text NOT NULL,
  PRIMARY KEY (consortium_id, credit_code)
);
CREATE INDEX consortium_members_code ON consortium_members (credit_code);

-- One institution, one direction, one level, one year (R4.1, R4.2).
CREATE TABLE directory_entries (
  id bigserial PRIMARY KEY,
  year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  level text NOT NULL CHECK (level IN ('CITY', 'COUNTY')),
  division_code text NOT NULL DEFAULT '',
  credit_code text NOT NULL REFERENCES institutions (credit_code),
  institution_display_name text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('CONSULTING', 'TRAINING')),
  status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'REMOVED')),
  status_reason text NOT NULL DEFAULT '',
  source text NOT NULL DEFAULT '',
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT directory_entries_unique UNIQUE (year, level, division_code, credit_code, direction)
);
CREATE INDEX directory_entries_code_year ON directory_entries (credit_code, year);

-- County bureaus' filings with the city (R4.2).
CREATE TABLE county_filings (
  id bigserial PRIMARY KEY,
  year int NOT NULL,
  division_code text NOT NULL,
  selection_criteria text NOT NULL,
  items bytea NOT NULL,
  filed_by text NOT NULL,
  filed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX county_filings_year ON county_filings (year, division_code, id);

-- CANCEL (R14.4) and BAR (R14.5); end_date is inclusive.
CREATE TABLE sanctions (
  id bigserial PRIMARY KEY,
  credit_code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('CANCEL', 'BAR')),
  start_date date NOT NULL,
  end_date date NOT NULL CHECK (end_date >= start_date),
  source_reference text NOT NULL,
  reason text NOT NULL DEFAULT '',
  lifted boolean NOT NULL DEFAULT false,
  lift_reason text NOT NULL DEFAULT '',
  command_id text NOT NULL UNIQUE,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sanctions_code ON sanctions (credit_code, start_date);
