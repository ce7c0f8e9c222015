-- Who changed which root cause or action of the organisation's red flags, when and why, of one
-- rollout ($rollout_id; null = every rollout), oldest first.
SELECT e.event_id, r.name AS rollout, e.rule, e.action_id, a.title, e.event_at, e.by_name, e.event, e.note
FROM action_events AS e
JOIN rollouts AS r ON r.rollout_id = e.rollout_id AND r.org_id = e.org_id
LEFT JOIN flag_actions AS a ON a.action_id = e.action_id AND a.org_id = e.org_id
WHERE e.org_id = $org_id AND ($rollout_id IS NULL OR e.rollout_id = $rollout_id)
ORDER BY e.event_id
