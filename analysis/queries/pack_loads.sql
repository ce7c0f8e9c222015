-- The report pack's appendix: each load of the organisation still in effect (not undone), newest
-- first, with the days its rows cover (usage: the days of its events; tickets: the days its
-- tickets were created; a roster covers no days).
WITH usage_days AS (
    SELECT upload_id, min(day) AS first_day, max(day) AS last_day
    FROM usage_events WHERE org_id = $org_id GROUP BY upload_id
),
ticket_days AS (
    SELECT upload_id, min(CAST(created_at AS DATE)) AS first_day, max(CAST(created_at AS DATE)) AS last_day
    FROM tickets WHERE org_id = $org_id GROUP BY upload_id
),
final AS (
    SELECT u.upload_id, u.kind, u.file_name, u.loaded_at, u.rows_read,
           u.rows_loaded + u.rows_updated AS rows_loaded, u.rows_rejected,
           coalesce(d.first_day, t.first_day) AS first_day, coalesce(d.last_day, t.last_day) AS last_day
    FROM uploads AS u
    LEFT JOIN usage_days AS d ON d.upload_id = u.upload_id
    LEFT JOIN ticket_days AS t ON t.upload_id = u.upload_id
    WHERE u.org_id = $org_id AND u.undone_at IS NULL
)
SELECT * FROM final ORDER BY loaded_at DESC, upload_id DESC
