-- The dates of the rollout's rosters (macro roster_snapshots), oldest first.
SELECT dated_on FROM roster_snapshots($org_id, $rollout_id) ORDER BY dated_on
