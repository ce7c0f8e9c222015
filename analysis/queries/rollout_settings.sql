-- The settings of the organisation's rollouts that rollouts.sql leaves out: the ticket filter.
WITH final AS (
    SELECT rollout_id, ticket_categories, ticket_keywords
    FROM rollouts
    WHERE org_id = $org_id
)
SELECT * FROM final ORDER BY rollout_id
