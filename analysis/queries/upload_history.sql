-- The organisation's load history, newest first.
WITH final AS (
    SELECT u.upload_id, u.loaded_at, u.kind, u.roster_as_of, r.name AS rollout, u.file_name, u.format,
           u.loaded_by, u.rows_read, u.rows_loaded, u.rows_updated, u.rows_rejected,
           u.rows_duplicate, u.unknown_people, u.undone_at, u.undone_by, u.sha256, u.messages
    FROM uploads AS u
    LEFT JOIN rollouts AS r ON r.rollout_id = u.rollout_id AND r.org_id = u.org_id
    WHERE u.org_id = $org_id
)
SELECT * FROM final ORDER BY upload_id DESC
