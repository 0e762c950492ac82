-- Tests whose outcome changes from one session to the next, over the last N sessions by start
-- time. N is the setting irl.flaky_sessions (`SET irl.flaky_sessions = 50`), 30 when unset;
-- `irl flaky --sessions N` sets it for its own query.
--
-- A test's outcome in a session is the status of its final row there (its last attempt);
-- sessions where it ended skipped, interrupted or still running don't count.
--   nodeid       the test
--   sessions     how many of the last N sessions it ended in passed, failed or error
--   passed       ... of them it ended passed
--   failed       ... of them it ended failed or error
--   flips        consecutive ones (of those sessions) where it went from passed to failed/error
--                or back
--   flaky_runs   its runs marked flaky (passed on a rerun after failing) in the last N sessions
--   flip_rate    flips / (sessions - 1): 0 is stable, 1 flips every time (NULL for one session)
--   last_status  its outcome in the newest of those sessions
--   last_seen    when that session started
-- Only tests with a flip or a flaky run are listed, the most flips + flaky runs first.
CREATE OR REPLACE VIEW irl_flaky_tests AS
WITH recent AS (
  SELECT id, started_at
  FROM test_sessions
  ORDER BY started_at DESC
  LIMIT greatest(1, coalesce(nullif(current_setting('irl.flaky_sessions', true), '')::int, 30))
),
finals AS (
  SELECT DISTINCT ON (r.session_id, r.nodeid)
         r.session_id, r.nodeid, r.status, s.started_at AS session_started
  FROM test_runs r JOIN recent s ON s.id = r.session_id
  ORDER BY r.session_id, r.nodeid, r.attempt DESC, r.started_at DESC
),
outcomes AS (
  SELECT nodeid, status, session_started,
         status = 'passed' AS ok,
         lag(status = 'passed') OVER (PARTITION BY nodeid ORDER BY session_started, session_id) AS was_ok
  FROM finals
  WHERE status IN ('passed', 'failed', 'error')
),
per_test AS (
  SELECT nodeid,
         count(*)::int AS sessions,
         count(*) FILTER (WHERE ok)::int AS passed,
         count(*) FILTER (WHERE NOT ok)::int AS failed,
         count(*) FILTER (WHERE ok <> was_ok)::int AS flips,
         (array_agg(status ORDER BY session_started DESC))[1] AS last_status,
         max(session_started) AS last_seen
  FROM outcomes
  GROUP BY nodeid
),
flaky AS (
  SELECT r.nodeid, count(*)::int AS flaky_runs
  FROM test_runs r JOIN recent s ON s.id = r.session_id
  WHERE r.flaky
  GROUP BY r.nodeid
)
SELECT p.nodeid, p.sessions, p.passed, p.failed, p.flips,
       coalesce(f.flaky_runs, 0) AS flaky_runs,
       round(p.flips::numeric / nullif(p.sessions - 1, 0), 3)::float8 AS flip_rate,
       p.last_status, p.last_seen
FROM per_test p LEFT JOIN flaky f USING (nodeid)
WHERE p.flips > 0 OR f.flaky_runs > 0
ORDER BY p.flips + coalesce(f.flaky_runs, 0) DESC, p.flips DESC, p.last_seen DESC, p.nodeid;
