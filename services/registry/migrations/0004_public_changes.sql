-- The feed of public changes (issue 25 item 2): numbered 1, 2, 3, ... with no gap and no repeat.
-- A sequence object would leave gaps (a rolled-back transaction keeps its number); the counter
-- row is updated in the same transaction as the change, so its lock is held until commit: a
-- number is used only if its change commits, and changes commit in number order.
CREATE TABLE public_change_counter (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_sequence bigint NOT NULL
);
INSERT INTO public_change_counter (singleton, last_sequence) VALUES (true, 0);
CREATE TABLE public_changes (
  sequence bigint PRIMARY KEY,
  kind text NOT NULL,
  change bytea NOT NULL,  -- the zhigai.registry.v1.PublicChange as sent
  at timestamptz NOT NULL
);
