-- The history of the organisation's alerts (of one rollout, or all when $rollout_id is null):
-- every state change, acknowledgement and snooze, oldest first.
WITH events AS (
    SELECT e.event_id, e.alert_id, r.name AS rollout, a.rule, a.cohort, a.department, a.kind,
           e.event_at, e.event, e.from_state, e.to_state, e.by_name, e.note, e.as_of, e.severity,
           e.evidence
    FROM alert_events AS e
    JOIN alerts AS a ON a.alert_id = e.alert_id AND a.org_id = e.org_id
    JOIN rollouts AS r ON r.rollout_id = a.rollout_id AND r.org_id = a.org_id
    WHERE e.org_id = $org_id AND ($rollout_id IS NULL OR a.rollout_id = $rollout_id)
),
final AS (
    SELECT * FROM events
)
SELECT * FROM final ORDER BY event_at, event_id
