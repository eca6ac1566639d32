-- Training events (R13). The whole zhigai.training.v1.Event is `body`; the columns beside it
-- are what queries filter and scope on (institution, venue division, date, state).
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  institution_credit_code text NOT NULL,
  division_code text NOT NULL,
  event_date date NOT NULL,
  state text NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'APPROVED', 'FILED')),
  body bytea NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX events_institution_date ON events (institution_credit_code, event_date, id);
CREATE INDEX events_division ON events (division_code, id);

-- Trainee ratings (R13.4), one per questionnaire, so a repeated upload changes nothing.
CREATE TABLE event_ratings (
  event_id bigint NOT NULL REFERENCES events (id),
  ballot_id text NOT NULL,
  satisfied boolean NOT NULL,
  PRIMARY KEY (event_id, ballot_id)
);

-- Whether a year's policy has a training subsidy (R13.0). No row = not set = no subsidy.
CREATE TABLE year_policies (
  year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  has_training_subsidy boolean NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL
);

-- The city bureau's tests of institutions (R8.1); body is zhigai.training.v1.TestSession.
CREATE TABLE test_sessions (
  id bigserial PRIMARY KEY,
  session_date date NOT NULL,
  year int NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX test_sessions_year ON test_sessions (year, session_date, id);

CREATE TABLE test_results (
  session_id bigint NOT NULL REFERENCES test_sessions (id),
  credit_code text NOT NULL,
  status text NOT NULL CHECK (status IN ('TAKEN', 'ABSENT_UNEXCUSED', 'EXCUSE_PENDING',
                                         'EXCUSE_ACCEPTED', 'EXCUSE_REJECTED')),
  score_hundredths bigint NOT NULL CHECK (score_hundredths >= 0),
  excuse text NOT NULL DEFAULT '',
  decision_note text NOT NULL DEFAULT '',
  version bigint NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, credit_code)
);
CREATE INDEX test_results_code ON test_results (credit_code, session_id);

-- Exchange meetings (R9.1); body is zhigai.training.v1.Meeting.
CREATE TABLE meetings (
  id bigserial PRIMARY KEY,
  meeting_date date NOT NULL,
  year int NOT NULL,
  organiser text NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX meetings_year ON meetings (year, organiser);

CREATE TABLE problems (
  id bigserial PRIMARY KEY,
  meeting_id bigint NOT NULL REFERENCES meetings (id),
  credit_code text NOT NULL,
  text text NOT NULL,
  answer text NOT NULL DEFAULT '',
  answered_by text NOT NULL DEFAULT '',
  answered_at timestamptz,
  version bigint NOT NULL CHECK (version > 0),
  created_at timestamptz NOT NULL
);
CREATE INDEX problems_meeting ON problems (meeting_id, id);
