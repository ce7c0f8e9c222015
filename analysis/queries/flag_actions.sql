-- The actions on the organisation's red flags, of one rollout ($rollout_id; null = every
-- rollout), with whether each is overdue on $today (not done or dropped, due before today).
SELECT a.action_id, a.rollout_id, r.name AS rollout, a.rule, a.alert_id, a.title, a.owner, a.due,
       a.status, a.outcome, a.created_by, a.created_at, a.updated_at,
       a.status NOT IN ('done', 'dropped') AND a.due < $today AS overdue
FROM flag_actions AS a
JOIN rollouts AS r ON r.rollout_id = a.rollout_id AND r.org_id = a.org_id
WHERE a.org_id = $org_id AND ($rollout_id IS NULL OR a.rollout_id = $rollout_id)
ORDER BY a.due, a.action_id
