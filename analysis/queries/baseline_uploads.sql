-- The loads behind a baseline's figures: the rollout's current roster, the usage loads with
-- events from $start to $as_of (the baseline window and, for the champion curve, the days after
-- it), and the ticket loads that wrote the rollout's tickets created up to $as_of.
WITH roster_load AS (
    SELECT DISTINCT upload_id FROM current_roster($org_id, $rollout_id)
),
usage_loads AS (
    SELECT DISTINCT e.upload_id FROM usage_events AS e
    WHERE e.org_id = $org_id AND e.day BETWEEN CAST($start AS DATE) AND CAST($as_of AS DATE)
),
ticket_loads AS (
    SELECT DISTINCT t.upload_id FROM rollout_tickets($org_id, $rollout_id) AS t
    WHERE CAST(t.created_at AS DATE) <= CAST($as_of AS DATE)
),
loads AS (
    SELECT upload_id FROM roster_load
    UNION SELECT upload_id FROM usage_loads
    UNION SELECT upload_id FROM ticket_loads
),
final AS (
    SELECT l.upload_id FROM loads AS l
    JOIN uploads AS u ON u.upload_id = l.upload_id
    WHERE u.org_id = $org_id AND u.undone_at IS NULL
)
SELECT * FROM final ORDER BY upload_id
