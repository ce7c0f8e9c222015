-- The rollout's tickets in scope (see the rollout_tickets macro) created from $start to $as_of,
-- with the requester's cohort (null: not on the roster) and durations in hours.
WITH scoped AS (
    SELECT * FROM rollout_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) BETWEEN $start AND $as_of
),
final AS (
    SELECT source, ticket_id, created_at, requester, requester_user_id, requester_cohort, subject,
           status, priority, category, first_response_at, resolved_at, resolved_approx, reopened,
           satisfaction, resolution_hours, first_response_hours
    FROM scoped
)
SELECT * FROM final ORDER BY created_at, source, ticket_id
