-- The ticket categories in the organisation's tickets (to choose a rollout's ticket filter
-- from), with their ticket counts.
WITH final AS (
    SELECT trim(category) AS category, count(*) AS tickets
    FROM tickets
    WHERE org_id = $org_id AND category IS NOT NULL AND trim(category) <> ''
    GROUP BY trim(category)
)
SELECT * FROM final ORDER BY tickets DESC, category
