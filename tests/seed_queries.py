"""The seed's two verification queries, verbatim (trailing spaces included)."""

SEED_STREAM_QUERY = """
SELECT 
  id,
  status,
  stream_url,
  CASE 
    WHEN stream_url IS NOT NULL THEN 'Streaming active'
    ELSE 'No stream'
  END as stream_status
FROM test_runs
WHERE status = 'running'
LIMIT 10;
"""

SEED_STEPS_QUERY = """
SELECT 
  id,
  jsonb_array_length(steps) as total_steps,
  (
    SELECT COUNT(*)
    FROM jsonb_array_elements(steps) AS step
    WHERE step->>'selfHealing' IS NOT NULL
  ) as healed_steps
FROM test_runs
WHERE steps IS NOT NULL
LIMIT 10;
"""
