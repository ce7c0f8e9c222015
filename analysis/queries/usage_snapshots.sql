-- The refresh dates of the snapshot exports (Microsoft 365 reports) behind the organisation's
-- usage up to $as_of, oldest first; none for event-level data. Weekly figures are not computable
-- from snapshots spaced further apart than a week.
WITH snapshots AS (
    SELECT DISTINCT e.snapshot
    FROM usage_events AS e
    JOIN uploads AS u ON u.upload_id = e.upload_id AND u.org_id = e.org_id
    WHERE e.org_id = $org_id AND e.snapshot IS NOT NULL AND e.snapshot <= $as_of AND u.undone_at IS NULL
),
final AS (
    SELECT snapshot FROM snapshots
)
SELECT * FROM final ORDER BY snapshot
