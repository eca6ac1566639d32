-- The change period the city bureau sets per engagement year (S2.1, S2.2).
CREATE TABLE rating_settings (
  year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  change_period_days int NOT NULL CHECK (change_period_days BETWEEN 0 AND 365),
  version bigint NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One rating per engagement (S2.1 content, S2.2 results).
CREATE TABLE ratings (
  id bigserial PRIMARY KEY,
  engagement text NOT NULL UNIQUE,
  institution_credit_code text NOT NULL,
  enterprise_credit_code text NOT NULL,
  division_code text NOT NULL DEFAULT '',
  engagement_year int NOT NULL,
  content text NOT NULL
    CHECK (content IN ('VERY_SATISFIED', 'FAIRLY_SATISFIED', 'AVERAGE', 'UNSATISFIED')),
  results text NOT NULL
    CHECK (results IN ('VERY_SATISFIED', 'FAIRLY_SATISFIED', 'AVERAGE', 'UNSATISFIED')),
  comment text NOT NULL DEFAULT '',
  source text NOT NULL CHECK (source IN ('ENTERPRISE', 'PHONE_FOLLOW_UP')),
  recorded_by text NOT NULL DEFAULT '',
  first_rated_date date NOT NULL,
  last_change_date date NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ratings_year_institution ON ratings (engagement_year, institution_credit_code);
CREATE INDEX ratings_institution ON ratings (institution_credit_code, id);
CREATE INDEX ratings_enterprise ON ratings (enterprise_credit_code, id);

-- Every version of every rating, with who gave it: the audit trail of changes in full.
CREATE TABLE rating_revisions (
  rating_id bigint NOT NULL REFERENCES ratings (id),
  version bigint NOT NULL,
  content text NOT NULL,
  results text NOT NULL,
  comment text NOT NULL,
  source text NOT NULL,
  actor text NOT NULL,
  actor_role text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rating_id, version)
);

-- Complaints against institutions and their verification (R14.5).
CREATE TABLE complaints (
  id bigserial PRIMARY KEY,
  complainant_credit_code text NOT NULL,
  institution_credit_code text NOT NULL,
  engagement text NOT NULL DEFAULT '',
  division_code text NOT NULL DEFAULT '',
  body bytea NOT NULL,  -- zhigai.feedback.v1.Complaint as filed (description, evidence, contact)
  filed_by text NOT NULL,
  filed_date date NOT NULL,
  outcome text NOT NULL DEFAULT 'PENDING'
    CHECK (outcome IN ('PENDING', 'VERIFIED_SERIOUS', 'VERIFIED_NOT_SERIOUS', 'REJECTED')),
  outcome_reasons text NOT NULL DEFAULT '',
  verification_date date,
  verified_by text NOT NULL DEFAULT '',
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((outcome = 'PENDING') = (verification_date IS NULL))
);
CREATE INDEX complaints_institution ON complaints (institution_credit_code, outcome, id);
CREATE INDEX complaints_complainant ON complaints (complainant_credit_code, id);

CREATE TABLE plagiarism_findings (
  id bigserial PRIMARY KEY,
  institution_credit_code text NOT NULL,
  finding_date date NOT NULL,
  body bytea NOT NULL,  -- zhigai.feedback.v1.PlagiarismFinding as recorded
  recorded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plagiarism_findings_institution ON plagiarism_findings (institution_credit_code);

-- Sanctions feedback has ordered from the registry (the outbox carries the delivery). One BAR
-- per institution ever: a later, back-dated verification that would move the bar's start
-- cannot order a second one (R14.5).
CREATE TABLE sanction_orders (
  command_id text PRIMARY KEY,
  institution_credit_code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('CANCEL', 'BAR')),
  start_date date NOT NULL,
  source_reference text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sanction_orders_one_bar ON sanction_orders (institution_credit_code)
  WHERE kind = 'BAR';
