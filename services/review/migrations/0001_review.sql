-- Calls (R4.1, R4.2). Searchable facts are columns; the whole definition is the serialised
-- zhigai.review.v1.Call (bytea), so reads are one row.
CREATE TABLE calls (
  id bigserial PRIMARY KEY,
  year int NOT NULL,
  scope text NOT NULL CHECK (scope IN ('CITY', 'COUNTY')),
  division_code text NOT NULL DEFAULT '',
  state text NOT NULL,
  body bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_year ON calls (year, id);

-- Applications (R5, R6.1): one per applicant and call. The checklist is a serialised
-- EligibilityChecklist, written at submission and by bureau decisions.
CREATE TABLE applications (
  id bigserial PRIMARY KEY,
  call_id bigint NOT NULL REFERENCES calls (id),
  credit_code text NOT NULL,
  state text NOT NULL,
  body bytea NOT NULL,
  checklist bytea,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  CONSTRAINT applications_one_per_applicant UNIQUE (call_id, credit_code)
);

-- Consortium members of every application, for look-ups by member (R5.1, R7.1).
CREATE TABLE application_members (
  application_id bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  credit_code text NOT NULL,
  PRIMARY KEY (application_id, credit_code)
);

-- Documents (R6.1): metadata here, content in 1 MiB chunks. A document row exists only once
-- every chunk is stored and the SHA-256 matched (one transaction).
CREATE TABLE documents (
  id bigserial PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES applications (id),
  display_name text NOT NULL,
  content_type text NOT NULL,
  purpose text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_application ON documents (application_id, id);
CREATE TABLE document_chunks (
  document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  seq int NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (document_id, seq)
);
-- PDFs, images and Office files are compressed already: do not spend CPU trying again.
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The expert pool (R7.1); body is the serialised Expert with its personal data.
CREATE TABLE experts (
  id bigserial PRIMARY KEY,
  subject text NOT NULL UNIQUE,
  body bytea NOT NULL,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
  application_id bigint NOT NULL REFERENCES applications (id),
  expert_id bigint NOT NULL REFERENCES experts (id),
  call_id bigint NOT NULL REFERENCES calls (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, expert_id)
);
CREATE INDEX assignments_expert ON assignments (expert_id, application_id);
CREATE INDEX assignments_call ON assignments (call_id);

-- One score sheet per expert, application and direction; a new sheet replaces the old.
CREATE TABLE expert_scores (
  application_id bigint NOT NULL,
  expert_id bigint NOT NULL,
  direction text NOT NULL CHECK (direction IN ('CONSULTING', 'TRAINING')),
  sheet bytea NOT NULL,
  weighted bigint NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, expert_id, direction),
  FOREIGN KEY (application_id, expert_id) REFERENCES assignments (application_id, expert_id)
);

-- The latest selection of a call (replaced by each SelectApplicants while REVIEWING).
CREATE TABLE selections (
  call_id bigint NOT NULL REFERENCES calls (id),
  application_id bigint NOT NULL REFERENCES applications (id),
  direction text NOT NULL CHECK (direction IN ('CONSULTING', 'TRAINING')),
  sum_ten_thousandths bigint NOT NULL,
  experts_counted int NOT NULL,
  experts_scored int NOT NULL,
  rank int NOT NULL,
  selected boolean NOT NULL,
  boundary_tie boolean NOT NULL DEFAULT false,
  PRIMARY KEY (application_id, direction)
);
CREATE INDEX selections_call ON selections (call_id, direction, rank);

-- Objections during the public notice (R7.1). direction '' = every direction.
CREATE TABLE objections (
  id bigserial PRIMARY KEY,
  call_id bigint NOT NULL REFERENCES calls (id),
  application_id bigint NOT NULL REFERENCES applications (id),
  direction text NOT NULL DEFAULT '',
  reason text NOT NULL,
  filed_by text NOT NULL,
  status text NOT NULL CHECK (status IN ('OBJECTION_PENDING', 'UPHELD', 'REJECTED')),
  resolution text NOT NULL DEFAULT '',
  resolved_by text NOT NULL DEFAULT '',
  version bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX objections_call ON objections (call_id, id);

-- What FinishCall admitted. The admission command (command_id) is enqueued only once the
-- registry acknowledged the applicant's registration: the outbox retries rows independently,
-- so enqueue order alone would not keep a registration ahead of the admissions that need it.
-- enqueued_at NULL = waiting for that acknowledgement.
CREATE TABLE admissions (
  call_id bigint NOT NULL REFERENCES calls (id),
  application_id bigint NOT NULL REFERENCES applications (id),
  direction text NOT NULL,
  credit_code text NOT NULL,
  command_id text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  enqueued_at timestamptz,
  PRIMARY KEY (application_id, direction)
);
CREATE INDEX admissions_waiting ON admissions (call_id, application_id) WHERE enqueued_at IS NULL;
