-- Sessions (one per pytest invocation, or one per CI shard group) and the runs of their tests.
CREATE TABLE IF NOT EXISTS test_sessions (
  id           UUID PRIMARY KEY,
  started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at  TIMESTAMPTZ,
  status       TEXT NOT NULL DEFAULT 'running',
  exit_status  INTEGER,
  host         TEXT,
  rootdir      TEXT,
  args         JSONB NOT NULL DEFAULT '[]'::jsonb
);

CREATE TABLE IF NOT EXISTS test_runs (
  id           UUID PRIMARY KEY,
  session_id   UUID NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
  nodeid       TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'running'
               CHECK (status IN ('running', 'passed', 'failed', 'skipped', 'error', 'interrupted')),
  attempt      INTEGER NOT NULL DEFAULT 1,
  started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at  TIMESTAMPTZ,
  duration_ms  DOUBLE PRECISION,
  error        TEXT,
  browser      TEXT,
  worker       TEXT,
  steps        JSONB NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(steps) = 'array')
);

CREATE INDEX IF NOT EXISTS test_runs_session_idx ON test_runs (session_id);
-- A prefix: a btree entry must fit in a third of a page, and a node id can be any length.
CREATE INDEX IF NOT EXISTS test_runs_nodeid_idx ON test_runs (left(nodeid, 500), started_at DESC);
CREATE INDEX IF NOT EXISTS test_runs_status_idx ON test_runs (status);
