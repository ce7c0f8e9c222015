-- adoption_series for the champion cohort alone (its people x days, a tenth of everyone's): the
-- champion curve of analysis/kpis/baselines.py.
SELECT * FROM adoption_series($org_id, $rollout_id, CAST($start AS DATE), CAST($end AS DATE), $window_days, 'champion', true)
ORDER BY day, cohort, department
