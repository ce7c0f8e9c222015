-- adoption_series: per day from $start to $end, per cohort and department of the rollout's licensed
-- people, the counts cohort_figures gives as of that day with a window of $window_days (the
-- adoption_series macro, analysis/queries/macros/6_series.sql, defines each).
SELECT * FROM adoption_series($org_id, $rollout_id, CAST($start AS DATE), CAST($end AS DATE), $window_days, NULL, false)
ORDER BY day, cohort, department
