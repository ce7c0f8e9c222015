-- The organisation's stored alert episodes: of one rollout ($rollout_id; null = every rollout),
-- one alert ($alert_id; null = all), open ones only unless $include_resolved.
WITH episodes AS (
    SELECT a.*, r.name AS rollout
    FROM alerts AS a
    JOIN rollouts AS r ON r.rollout_id = a.rollout_id AND r.org_id = a.org_id
    WHERE a.org_id = $org_id
      AND ($rollout_id IS NULL OR a.rollout_id = $rollout_id)
      AND ($alert_id IS NULL OR a.alert_id = $alert_id)
      AND ($include_resolved OR a.state <> 'resolved')
),
final AS (
    SELECT * FROM episodes
)
SELECT * FROM final ORDER BY alert_id
