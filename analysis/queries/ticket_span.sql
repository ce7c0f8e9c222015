-- The span of the organisation's ticket data (every ticket, whatever the rollout's filter): the
-- first and last day a ticket was created, and how many tickets there are. The ticket rules
-- cannot be judged on days before the data starts.
WITH org_tickets AS (
    SELECT CAST(created_at AS DATE) AS created_day FROM tickets WHERE org_id = $org_id
),
final AS (
    SELECT min(created_day) AS oldest_ticket_day, max(created_day) AS newest_created_day,
           count(*) AS tickets
    FROM org_tickets
)
SELECT * FROM final
