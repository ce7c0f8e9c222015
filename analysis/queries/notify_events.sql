-- The organisation's alert events recorded by an evaluation after event $after (analysis/schedule.py
-- turns them into notifications), with the alert they belong to: no by_name and no note, which
-- can carry a person's name.
SELECT e.event_id, e.alert_id, r.name AS rollout, a.rule, a.cohort, a.department, a.kind,
       e.event_at, e.event, e.from_state, e.to_state, e.as_of,
       coalesce(e.severity, a.severity) AS severity,
       coalesce(e.evidence, a.evidence) AS evidence,
       a.message, a.action
FROM alert_events AS e
JOIN alerts AS a ON a.alert_id = e.alert_id AND a.org_id = e.org_id
JOIN rollouts AS r ON r.rollout_id = a.rollout_id AND r.org_id = a.org_id
WHERE e.org_id = $org_id AND e.event_id > $after AND e.by_name = 'system'
ORDER BY e.event_id
