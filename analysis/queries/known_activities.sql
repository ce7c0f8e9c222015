-- The activities in the organisation's usage (to choose a rollout's activities from): days with
-- use, people, the newest day.
WITH final AS (
    SELECT activity, count(*) AS person_days, count(DISTINCT user_id) AS people, max(day) AS newest_day
    FROM usage_daily
    WHERE org_id = $org_id AND events > 0
    GROUP BY activity
)
SELECT * FROM final ORDER BY person_days DESC, activity
