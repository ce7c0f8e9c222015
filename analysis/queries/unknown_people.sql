-- People with usage in the organisation who are on no roster of the rollout and not marked out of
-- scope, with what they did: the Data page's unknown-people list.
WITH roster AS (
    SELECT user_id FROM rostered_people($org_id, $rollout_id)
),
skipped AS (
    SELECT user_id FROM out_of_scope_people WHERE org_id = $org_id AND rollout_id = $rollout_id
),
final AS (
    SELECT d.user_id,
           string_agg(DISTINCT d.activity, ', ' ORDER BY d.activity) AS activities,
           sum(d.events) AS events,
           count(DISTINCT d.day) AS active_days,
           min(d.day) AS first_day,
           max(d.day) AS last_day
    FROM usage_daily AS d
    WHERE d.org_id = $org_id AND d.events > 0
      AND d.user_id NOT IN (SELECT user_id FROM roster)
      AND d.user_id NOT IN (SELECT user_id FROM skipped)
    GROUP BY d.user_id
)
SELECT * FROM final ORDER BY events DESC, user_id
