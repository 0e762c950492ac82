-- The pytest process (the xdist controller, or the only process) that ran a test: when one of
-- its workers dies, or it ends, it marks its own runs still 'running' as 'interrupted' without
-- touching those of other CI shards that share the session.
ALTER TABLE test_runs ADD COLUMN IF NOT EXISTS controller_id UUID;

CREATE INDEX IF NOT EXISTS test_runs_running_idx ON test_runs (session_id, controller_id) WHERE status = 'running';
