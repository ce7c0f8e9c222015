-- The rollout's roster snapshots, oldest date first (macro roster_snapshots): the date each holds
-- from, its load, and its licensed people per cohort (cohort 'all': everyone licensed).
WITH snaps AS (
    SELECT s.upload_id, s.dated_on, u.file_name, u.loaded_by, u.loaded_at
    FROM roster_snapshots($org_id, $rollout_id) AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.org_id = $org_id
),
sizes AS (
    SELECT r.upload_id, coalesce(r.cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM roster AS r
    WHERE r.org_id = $org_id AND r.rollout_id = $rollout_id AND r.licensed
      AND r.upload_id IN (SELECT upload_id FROM snaps)
    GROUP BY GROUPING SETS ((r.upload_id, r.cohort), (r.upload_id))
),
final AS (
    SELECT s.dated_on, s.upload_id, s.file_name, s.loaded_by, s.loaded_at, z.cohort, z.licensed_users
    FROM snaps AS s JOIN sizes AS z USING (upload_id)
)
SELECT * FROM final ORDER BY dated_on, cohort = 'all', cohort
