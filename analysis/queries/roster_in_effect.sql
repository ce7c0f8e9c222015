-- The date of the rollout's roster in effect on $day (macro roster_snapshots): the snapshot whose
-- days hold $day; no row while the rollout has no roster.
SELECT dated_on FROM roster_snapshots($org_id, $rollout_id)
WHERE CAST($day AS DATE) >= valid_from AND CAST($day AS DATE) < valid_to
