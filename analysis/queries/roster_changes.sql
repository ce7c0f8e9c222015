-- Who joined, left or moved with each roster snapshot of the rollout against the one before it in
-- date order (macro roster_snapshots; licensed people only: a person made unlicensed has left).
-- change: joined | left | moved (cohort or department); the first snapshot has none.
WITH snaps AS (
    SELECT upload_id, dated_on, lag(upload_id) OVER (ORDER BY dated_on) AS previous
    FROM roster_snapshots($org_id, $rollout_id)
),
people AS (
    SELECT upload_id, user_id, display_name, department, cohort FROM roster
    WHERE org_id = $org_id AND rollout_id = $rollout_id AND licensed
),
now AS (
    SELECT s.dated_on, s.upload_id, s.previous, p.* EXCLUDE (upload_id)
    FROM snaps AS s JOIN people AS p USING (upload_id)
    WHERE s.previous IS NOT NULL
),
before AS (
    SELECT s.dated_on, s.upload_id, p.* EXCLUDE (upload_id)
    FROM snaps AS s JOIN people AS p ON p.upload_id = s.previous
),
final AS (
    SELECT n.dated_on, n.upload_id, n.user_id, n.display_name,
           CASE WHEN b.user_id IS NULL THEN 'joined' ELSE 'moved' END AS change,
           b.cohort AS cohort_before, n.cohort AS cohort_after,
           b.department AS department_before, n.department AS department_after
    FROM now AS n
    LEFT JOIN before AS b ON b.upload_id = n.upload_id AND b.user_id = n.user_id
    WHERE b.user_id IS NULL OR b.cohort <> n.cohort OR b.department IS DISTINCT FROM n.department
    UNION ALL
    SELECT b.dated_on, b.upload_id, b.user_id, b.display_name, 'left',
           b.cohort, NULL, b.department, NULL
    FROM before AS b
    WHERE NOT EXISTS (SELECT 1 FROM now AS n WHERE n.upload_id = b.upload_id AND n.user_id = b.user_id)
)
SELECT * FROM final ORDER BY dated_on, change, user_id
