-- The post-mortems of the organisation's rollouts ($rollout_id; null = every rollout).
SELECT l.rollout_id, r.name AS rollout, l.went_wrong, l.why, l.what_we_did, l.learned, l.recommend,
       l.updated_by, l.updated_at
FROM lessons AS l
JOIN rollouts AS r ON r.rollout_id = l.rollout_id AND r.org_id = l.org_id
WHERE l.org_id = $org_id AND ($rollout_id IS NULL OR l.rollout_id = $rollout_id)
ORDER BY r.name
