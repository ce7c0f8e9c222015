-- Table macros for the adoption and support metrics (METRICS.md sections 2 and 3). Like those
-- of 002, each takes the organisation as well as the rollout and filters on both.

-- One row per licensed person of the rollout, as of day `as_of` with a window of `w` days
-- ([as_of - w + 1, as_of]): the per-person facts every adoption figure counts. Events after
-- as_of are ignored; a person's own cohort go-live is g.
--   first_use      first counting day >= g (null: not activated)
--   last_use       last counting day up to as_of, before go-live included (null: never used)
--   active_days    days with a counting event in the window
--   active         active_days > 0
--   lapsed         a counting day in [g, as_of - w] and none in the window
--   legacy         a legacy event in [as_of - 13, as_of]
--   active_weeks   ISO weeks (Monday start) with a counting day among the 12 ending with as_of's
--                  week, that week counting up to as_of
--   habitual       active_weeks >= 9; null while as_of - g < 84
CREATE MACRO person_adoption(oid, rid, as_of, w) AS TABLE
    WITH people AS (
        SELECT user_id, display_name, department, cohort, go_live FROM licensed_people(oid, rid)
    ),
    days AS (
        SELECT user_id, day, bool_or(is_counting) AS counting, bool_or(is_legacy) AS legacy
        FROM rollout_usage(oid, rid)
        WHERE day <= as_of
        GROUP BY user_id, day
    ),
    per_person AS (
        SELECT p.user_id, p.display_name, p.department, p.cohort, p.go_live,
               min(u.day) FILTER (WHERE u.counting AND u.day >= p.go_live) AS first_use,
               max(u.day) FILTER (WHERE u.counting) AS last_use,
               count(u.day) FILTER (WHERE u.counting AND u.day > as_of - w) AS active_days,
               count(u.day) FILTER (WHERE u.counting AND u.day >= p.go_live AND u.day <= as_of - w)
                   AS days_used_before_window,
               count(u.day) FILTER (WHERE u.legacy AND u.day > as_of - 14) AS legacy_days,
               count(DISTINCT date_trunc('week', u.day)) FILTER (
                   WHERE u.counting AND u.day >= CAST(date_trunc('week', as_of) AS DATE) - 77
               ) AS active_weeks
        FROM people AS p
        LEFT JOIN days AS u ON u.user_id = p.user_id
        GROUP BY p.user_id, p.display_name, p.department, p.cohort, p.go_live
    ),
    final AS (
        SELECT user_id, display_name, department, cohort, go_live, first_use, last_use,
               first_use - go_live AS days_to_first_use,
               active_days, active_days > 0 AS active,
               first_use IS NOT NULL AS activated,
               days_used_before_window > 0 AND active_days = 0 AS lapsed,
               last_use IS NULL AS never_used,
               legacy_days > 0 AS legacy,
               active_weeks,
               CASE WHEN as_of - go_live >= 84 THEN active_weeks >= 9 END AS habitual
        FROM per_person
    )
    SELECT * FROM final;

-- The organisation's tickets that pass the rollout's ticket filter, with the requester matched
-- to the rollout's current roster. Filter: a ticket passes when its category is one of
-- ticket_categories or its subject contains one of ticket_keywords (both case-insensitive);
-- both lists empty = every ticket. Requester: by user_id, else by display name
-- (case-insensitive) when exactly one roster person has that name; unmatched = null cohort.
-- resolution_hours is null for approximate resolutions (they count as resolved, not in durations).
CREATE MACRO rollout_tickets(oid, rid) AS TABLE
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
