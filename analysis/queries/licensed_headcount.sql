-- The number of people licensed on day $as_of (the roster in effect that day; null: the current
-- roster): the denominator of the ticket rates.
WITH people AS (
    SELECT user_id FROM licensed_people($org_id, $rollout_id, on_day := $as_of)
),
final AS (
    SELECT count(*) AS licensed_users FROM people
)
SELECT * FROM final
