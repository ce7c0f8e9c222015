-- Ticket categories in scope before and after $split: `before` counts tickets created in
-- [$before_start, $split - 1], `after` those created in [$split, $as_of] ($before_start null =
-- from the first ticket). Missing categories show as '(none)'. Rows: every category in the top
-- $limit of either side, with each side's count, share and rank.
WITH scoped AS (
    SELECT coalesce(nullif(trim(category), ''), '(none)') AS category, CAST(created_at AS DATE) AS day
    FROM scoped_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) <= $as_of
      AND ($before_start IS NULL OR CAST(created_at AS DATE) >= $before_start)
),
counted AS (
    SELECT category,
           count(*) FILTER (WHERE day < $split) AS tickets_before,
           count(*) FILTER (WHERE day >= $split) AS tickets_after
    FROM scoped GROUP BY category
),
ranked AS (
    SELECT *,
           tickets_before / nullif(sum(tickets_before) OVER (), 0) AS share_before,
           tickets_after / nullif(sum(tickets_after) OVER (), 0) AS share_after,
           CASE WHEN tickets_before > 0 THEN rank() OVER (ORDER BY tickets_before DESC) END AS rank_before,
           CASE WHEN tickets_after > 0 THEN rank() OVER (ORDER BY tickets_after DESC) END AS rank_after
    FROM counted
),
final AS (
    SELECT * FROM ranked WHERE rank_before <= $limit OR rank_after <= $limit
)
SELECT category, tickets_before, share_before, rank_before, tickets_after, share_after, rank_after
FROM final
ORDER BY tickets_after DESC, tickets_before DESC, category
