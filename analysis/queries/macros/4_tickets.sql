-- The tickets in a rollout's scope (docs/metrics.md#support-metrics).
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- The organisation's tickets that pass the rollout's ticket filter, with the requester matched
-- to the rollout's current roster. Filter: a ticket passes when its category is one of
-- ticket_categories or its subject contains one of ticket_keywords (both case-insensitive);
-- both lists empty = every ticket. Requester: by user_id, else by display name
-- (case-insensitive) when exactly one roster person has that name; unmatched = null cohort.
-- resolution_hours is null for approximate resolutions (they count as resolved, not in durations).
CREATE OR REPLACE MACRO rollout_tickets(oid, rid) AS TABLE
    WITH rule AS (
        SELECT list_filter(list_transform(ticket_categories, lambda x: lower(trim(x))), lambda x: x <> '')
                   AS categories,
               list_filter(list_transform(ticket_keywords, lambda x: lower(trim(x))), lambda x: x <> '')
                   AS keywords
        FROM rollouts WHERE org_id = oid AND rollout_id = rid
    ),
    people AS (
        SELECT user_id, lower(trim(display_name)) AS name_key, cohort FROM current_roster(oid, rid)
    ),
    unique_names AS (
        SELECT name_key, any_value(user_id) AS user_id FROM people
        WHERE name_key IS NOT NULL AND name_key <> ''
        GROUP BY name_key HAVING count(*) = 1
    ),
    in_scope AS (
        SELECT t.* FROM tickets AS t, rule AS f
        WHERE t.org_id = oid
          AND ((len(f.categories) = 0 AND len(f.keywords) = 0)
               OR coalesce(list_contains(f.categories, lower(trim(t.category))), false)
               OR len(list_filter(f.keywords, lambda k: contains(lower(coalesce(t.subject, '')), k))) > 0)
    ),
    matched AS (
        SELECT t.*, coalesce(by_id.user_id, by_name.user_id) AS requester_user_id
        FROM in_scope AS t
        LEFT JOIN people AS by_id ON by_id.user_id = lower(trim(t.requester))
        LEFT JOIN unique_names AS by_name ON by_name.name_key = lower(trim(t.requester))
    ),
    final AS (
        SELECT m.*, p.cohort AS requester_cohort,
               CASE WHEN NOT m.resolved_approx THEN (epoch(m.resolved_at) - epoch(m.created_at)) / 3600 END
                   AS resolution_hours,
               (epoch(m.first_response_at) - epoch(m.created_at)) / 3600 AS first_response_hours
        FROM matched AS m
        LEFT JOIN people AS p ON p.user_id = m.requester_user_id
    )
    SELECT * FROM final;
