-- The organisation's most frequent ticket categories over all its tickets, whatever rollout
-- ('(none)' when missing), with their share.
WITH final AS (
    SELECT coalesce(nullif(trim(category), ''), '(none)') AS category, count(*) AS tickets,
           count(*) / sum(count(*)) OVER () AS share
    FROM tickets WHERE org_id = $org_id GROUP BY ALL
)
SELECT * FROM final ORDER BY tickets DESC, category LIMIT $limit
