-- Reruns: every attempt of a test is its own row. A later attempt points at the row of the
-- test's first attempt; the attempt that passes after a failure is marked flaky.
ALTER TABLE test_runs
  ADD COLUMN IF NOT EXISTS first_run_id UUID REFERENCES test_runs (id) ON DELETE SET NULL,
  ADD COLUMN IF NOT EXISTS flaky BOOLEAN NOT NULL DEFAULT false;

-- Most runs are first attempts (NULL): only the links are worth indexing.
CREATE INDEX IF NOT EXISTS test_runs_first_run_idx ON test_runs (first_run_id) WHERE first_run_id IS NOT NULL;
