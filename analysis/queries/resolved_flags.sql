-- The organisation's red flags that were resolved (wins), of one rollout, newest first: those that
-- fired at some time. A rule that could not be judged (not_enough_data) until the data came, and
-- then did not hold, was never a red flag (a roster loaded before the usage opens such alerts).
SELECT a.alert_id, a.rule, a.cohort, a.department, a.kind, a.severity, a.opened_at, a.resolved_at
FROM alerts AS a
WHERE a.org_id = $org_id AND a.rollout_id = $rollout_id AND a.state = 'resolved'
  AND EXISTS (
      SELECT 1 FROM alert_events AS e
      WHERE e.org_id = a.org_id AND e.alert_id = a.alert_id AND e.event = 'fired'
  )
ORDER BY a.resolved_at DESC, a.alert_id
