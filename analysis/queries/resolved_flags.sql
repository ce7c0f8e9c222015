-- The organisation's red flags that were resolved (wins), of one rollout, newest first.
SELECT a.alert_id, a.rule, a.cohort, a.department, a.kind, a.severity, a.opened_at, a.resolved_at
FROM alerts AS a
WHERE a.org_id = $org_id AND a.rollout_id = $rollout_id AND a.state = 'resolved'
ORDER BY a.resolved_at DESC, a.alert_id
