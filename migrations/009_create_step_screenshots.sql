-- Small, bounded JPEG screenshots taken while a test ran: at each heal (the page as the heal found
-- it, with the box of the element it chose) and at a failure (the page as the test left it). Kept
-- beside test_runs rather than in its steps JSONB, so that reading steps never loads images.
CREATE TABLE IF NOT EXISTS step_screenshots (
  run_id       UUID NOT NULL REFERENCES test_runs (id) ON DELETE CASCADE,
  step_number  INTEGER NOT NULL,            -- steps[].stepNumber (0: a failure before any step)
  kind         TEXT NOT NULL CHECK (kind IN ('heal', 'failure')),
  taken_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  mime         TEXT NOT NULL DEFAULT 'image/jpeg',
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  box          JSONB,                       -- the element outlined, in the image's pixels
  image        BYTEA NOT NULL CHECK (octet_length(image) <= 262144),
  PRIMARY KEY (run_id, step_number, kind)
);
