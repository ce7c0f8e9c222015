-- The organisation's annotations (dated events drawn on the time charts), of one rollout when
-- $rollout_id is given, oldest first.
WITH final AS (
    SELECT a.annotation_id, a.rollout_id, r.name AS rollout, a.day, a.kind, a.note, a.created_by,
           a.created_at
    FROM annotations AS a
    JOIN rollouts AS r ON r.rollout_id = a.rollout_id AND r.org_id = a.org_id
    WHERE a.org_id = $org_id
      AND ($rollout_id IS NULL OR a.rollout_id = $rollout_id)
)
SELECT * FROM final ORDER BY day, annotation_id
