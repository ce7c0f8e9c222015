-- The root causes worked out for the organisation's red flags, of one rollout ($rollout_id; null =
-- every rollout).
SELECT c.rollout_id, r.name AS rollout, c.rule, c.alert_id, c.whys, c.categories, c.summary,
       c.updated_by, c.updated_at
FROM root_causes AS c
JOIN rollouts AS r ON r.rollout_id = c.rollout_id AND r.org_id = c.org_id
WHERE c.org_id = $org_id AND ($rollout_id IS NULL OR c.rollout_id = $rollout_id)
ORDER BY c.rule, c.alert_id NULLS FIRST
