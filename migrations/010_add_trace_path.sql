-- The Playwright trace of a run, where pytest-playwright's --tracing kept one (on, or
-- retain-on-failure and the test failed): the path of its trace.zip as pytest-playwright wrote it,
-- for `irl show RUN --trace` (playwright show-trace) and the report. A test with several
-- browser contexts has several traces (trace-1.zip, ...): this is the first.
ALTER TABLE test_runs ADD COLUMN IF NOT EXISTS trace_path TEXT;
