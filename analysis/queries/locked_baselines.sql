-- The rollout's locked, named baselines (oldest first), with whether each is the selected one.
WITH locked AS (
    SELECT baseline_id, rollout_id, name, window_start, window_end, as_of, figures, upload_ids,
           locked_by, locked_at
    FROM baselines
    WHERE org_id = $org_id AND rollout_id = $rollout_id
),
chosen AS (
    SELECT baseline_id FROM baseline_selection WHERE org_id = $org_id AND rollout_id = $rollout_id
),
final AS (
    SELECT l.*, l.baseline_id IN (SELECT baseline_id FROM chosen WHERE baseline_id IS NOT NULL) AS selected
    FROM locked AS l
)
SELECT * FROM final ORDER BY locked_at, baseline_id
