-- The seed's live-streaming migration, verbatim: the URL of a running test's live view.
ALTER TABLE test_runs
  ADD COLUMN IF NOT EXISTS stream_url TEXT;
