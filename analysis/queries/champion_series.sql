-- adoption_series for the champion cohort alone (its people x days, a tenth of everyone's), summed
-- per day: the champion curve of analysis/kpis/baselines.py (a day's rows summed here, not in
-- pandas, one small group at a time).
WITH series AS (
    SELECT * FROM adoption_series($org_id, $rollout_id, CAST($start AS DATE), CAST($end AS DATE), $window_days, 'champion', true)
    WHERE cohort = 'champion'
),
final AS (
    SELECT day,
           coalesce(sum(licensed_users), 0) AS licensed_users,
           coalesce(sum(active_users), 0) AS active_users,
           coalesce(sum(activated_users), 0) AS activated_users,
           coalesce(sum(habitual_users), 0) AS habitual_users
    FROM series
    GROUP BY day
)
SELECT * FROM final ORDER BY day
