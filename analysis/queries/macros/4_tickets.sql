-- The tickets in a rollout's scope (docs/metrics.md#support-metrics).
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- The organisation's tickets that pass the rollout's ticket filter (below), with their hours to
-- resolution (null for approximate resolutions: they count as resolved, not in durations) and to
-- first response: what the rollout-wide support figures read (support_kpis, ticket_days,
-- backlog_by_day, top_categories), without matching requesters to the roster, which was most of
-- their time (docs/performance.md).
CREATE OR REPLACE MACRO scoped_tickets(oid, rid) AS TABLE
    WITH rule AS (
        SELECT list_filter(list_transform(ticket_categories, lambda x: lower(trim(x))), lambda x: x <> '')
                   AS categories,
               list_filter(list_transform(ticket_keywords, lambda x: lower(trim(x))), lambda x: x <> '')
                   AS keywords
        FROM rollouts WHERE org_id = oid AND rollout_id = rid
    ),
    in_scope AS (
        SELECT t.*,
               CASE WHEN NOT t.resolved_approx THEN (epoch(t.resolved_at) - epoch(t.created_at)) / 3600 END
                   AS resolution_hours,
               (epoch(t.first_response_at) - epoch(t.created_at)) / 3600 AS first_response_hours
        FROM tickets AS t, rule AS f
        WHERE t.org_id = oid
          AND ((len(f.categories) = 0 AND len(f.keywords) = 0)
               OR coalesce(list_contains(f.categories, lower(trim(t.category))), false)
               OR len(list_filter(f.keywords, lambda k: contains(lower(coalesce(t.subject, '')), k))) > 0)
    )
    SELECT * FROM in_scope;

-- The organisation's tickets that pass the rollout's ticket filter, with the requester matched
-- to the rollout's roster on the day the ticket was opened (macro roster_snapshots). Filter: a
-- ticket passes when its category is one of ticket_categories or its subject contains one of
-- ticket_keywords (both case-insensitive);
-- both lists empty = every ticket. Requester: by user_id, else by display name
-- (case-insensitive) when exactly one roster person has that name; unmatched = null cohort.
-- resolution_hours is null for approximate resolutions (they count as resolved, not in durations).
CREATE OR REPLACE MACRO rollout_tickets(oid, rid) AS TABLE
    WITH snapshots AS (SELECT upload_id, valid_from, valid_to FROM roster_snapshots(oid, rid)),
    people AS (   -- every roster snapshot's people, by the snapshot
        SELECT r.upload_id, r.user_id, lower(trim(r.display_name)) AS name_key, r.cohort
        FROM roster AS r JOIN snapshots AS s USING (upload_id)
        WHERE r.org_id = oid AND r.rollout_id = rid
    ),
    unique_names AS (
        SELECT upload_id, name_key, any_value(user_id) AS user_id FROM people
        WHERE name_key IS NOT NULL AND name_key <> ''
        GROUP BY upload_id, name_key HAVING count(*) = 1
    ),
    in_scope AS (SELECT * FROM scoped_tickets(oid, rid)),
    on_day AS (   -- the roster in effect on the day the ticket was opened
        SELECT t.*, s.upload_id AS roster_upload
        FROM in_scope AS t
        LEFT JOIN snapshots AS s
               ON CAST(t.created_at AS DATE) >= s.valid_from AND CAST(t.created_at AS DATE) < s.valid_to
    ),
    matched AS (
        SELECT t.*, coalesce(by_id.user_id, by_name.user_id) AS requester_user_id
        FROM on_day AS t
        LEFT JOIN people AS by_id ON by_id.upload_id = t.roster_upload AND by_id.user_id = lower(trim(t.requester))
        LEFT JOIN unique_names AS by_name
               ON by_name.upload_id = t.roster_upload AND by_name.name_key = lower(trim(t.requester))
    ),
    final AS (
        SELECT m.* EXCLUDE (resolution_hours, first_response_hours), p.cohort AS requester_cohort,
               m.resolution_hours, m.first_response_hours
        FROM matched AS m
        LEFT JOIN people AS p ON p.upload_id = m.roster_upload AND p.user_id = m.requester_user_id
    )
    SELECT * EXCLUDE (roster_upload) FROM final;
