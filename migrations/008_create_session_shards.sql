-- Each pytest process that records into a session (the only one, or the xdist controller; one per
-- CI shard sharing a session id): who it is, so that a later session or `irl sync` can tell that
-- it is gone (killed) and mark its runs interrupted, and how it ended, so that a session shared by
-- shards is finished only when all of them are, with the worst of their exit statuses.
CREATE TABLE IF NOT EXISTS test_session_shards (
  controller_id  UUID PRIMARY KEY,           -- test_runs.controller_id of its runs
  session_id     UUID NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
  host           TEXT NOT NULL,
  pid            INTEGER NOT NULL,
  process        TEXT,                       -- boot id, pid namespace and start time of the process
  started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  heartbeat_at   TIMESTAMPTZ NOT NULL DEFAULT now(),  -- renewed while it runs
  finished_at    TIMESTAMPTZ,
  status         TEXT NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'finished', 'interrupted')),
  exit_status    INTEGER
);

CREATE INDEX IF NOT EXISTS test_session_shards_session_idx ON test_session_shards (session_id);
CREATE INDEX IF NOT EXISTS test_session_shards_running_idx ON test_session_shards (status) WHERE status = 'running';
