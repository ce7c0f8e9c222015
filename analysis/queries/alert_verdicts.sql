-- The cached red-flag verdicts of one rollout at one key (analysis/alerts/verdict_cache.py): as of
-- $as_of, or, with $as_of null, as of the newest usage day they were computed at.
WITH found AS (
    SELECT as_of, newest_usage, newest_ticket, stale_days, findings, computed_at
    FROM alert_verdicts
    WHERE org_id = $org_id
      AND rollout_id = $rollout_id
      AND data_version = $data_version
      AND inputs_version = $inputs_version
      AND window_days = $window_days
      AND (as_of = $as_of OR ($as_of IS NULL AND newest_usage IS NOT NULL AND as_of = newest_usage))
),
final AS (
    SELECT * FROM found
)
SELECT * FROM final ORDER BY computed_at DESC LIMIT 1
