-- The number of licensed people on the rollout's current roster (the denominator of the ticket
-- rates, "licensed people now").
WITH people AS (
    SELECT user_id FROM licensed_people($org_id, $rollout_id)
),
final AS (
    SELECT count(*) AS licensed_users FROM people
)
SELECT * FROM final
