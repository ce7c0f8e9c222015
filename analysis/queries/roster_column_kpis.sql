-- Per value of one extra roster column ($column) and cohort (cohort 'all': every cohort): the
-- people licensed on $as_of (their values on that day's roster), those active in the window, adoption; "(not given)" for a person with no value.
-- eligible_*: the same for people of cohorts at least $target_age days past go-live (the target's
-- due age), the people adoption is judged against the target on (as LOW_ADOPTION does per department).
WITH people AS (
    SELECT p.*, coalesce(a.value, '(not given)') AS value
    FROM adoption_facts($org_id, $rollout_id, CAST($as_of AS DATE), $window_days, $kept) AS p
    LEFT JOIN (SELECT user_id, value FROM current_roster_attributes($org_id, $rollout_id, on_day := CAST($as_of AS DATE)) WHERE name = $column) AS a
        USING (user_id)
),
grouped AS (
    SELECT value, coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed_users,
           count(*) FILTER (WHERE active) AS active_users,
           count(*) FILTER (WHERE CAST($as_of AS DATE) - go_live >= $target_age) AS eligible_users,
           count(*) FILTER (WHERE active AND CAST($as_of AS DATE) - go_live >= $target_age) AS eligible_active
    FROM people
    GROUP BY GROUPING SETS ((value, cohort), (value))
),
final AS (
    SELECT value, cohort, licensed_users, active_users, active_users / licensed_users AS adoption_rate,
           eligible_users, eligible_active
    FROM grouped
)
SELECT * FROM final
ORDER BY cohort = 'all' DESC, cohort, value = '(not given)', value
