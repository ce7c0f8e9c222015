-- How fresh the organisation's data is, and what it spans.
-- newest_usage_day: the newest day of the rollout's counting or legacy activities (when $rollout_id
--   is given) used by one of its people: people on any of its rosters (anyone, while it has no
--   roster yet), never people marked out of scope, so one stray late event of an administrator
--   account cannot move the default as-of date. Snapshot exports (Microsoft 365 reports) are known
--   up to their refresh date, even when nobody used it on the last days before it, so the newest
--   refresh date counts as a usage day.
-- oldest_usage_day: the oldest day of the rollout's usage, anyone's.
-- newest_ticket_day / oldest_ticket_day: the organisation's tickets (created or updated).
-- newest_data_day / oldest_data_day: the span of all the organisation's usage and tickets (the
--   as-of date may be set anywhere in it).
-- apart_from_day: the first day of use after the earliest gap of more than 90 days without any use
--   (by the people of newest_usage_day) after which under 1 % of the person-days remain, null when
--   there is none: a few stray days long after the rest; apart_before_day the last day of use before
--   that gap; apart_person_days the person-days from apart_from_day on, of usage_person_days in all
--   (analysis.metrics.use_apart: the pages say so when the view is as of those days).
WITH roster_people AS (
    SELECT user_id FROM rostered_people($org_id, $rollout_id)
),
skipped AS (
    SELECT user_id FROM out_of_scope_people WHERE org_id = $org_id AND rollout_id = $rollout_id
),
rollout_days AS (
    -- every row of the summary is a counting or a legacy day
    SELECT user_id, day FROM rollout_person_days($org_id, $rollout_id) WHERE $rollout_id IS NOT NULL
    UNION ALL
    SELECT user_id, day FROM usage_daily WHERE org_id = $org_id AND events > 0 AND $rollout_id IS NULL
),
per_day AS (   -- one scan of the person-days: each day's people who count for the newest day
    SELECT day, count(*) FILTER (WHERE user_id NOT IN (SELECT user_id FROM skipped)
                                     AND (user_id IN (SELECT user_id FROM roster_people)
                                          OR NOT EXISTS (SELECT 1 FROM roster_people))) AS people
    FROM rollout_days
    GROUP BY day
),
usage_days AS (
    SELECT max(day) FILTER (WHERE people > 0) AS newest_usage_day, min(day) AS oldest_usage_day FROM per_day
),
gaps AS (   -- each day of use: the days since the one before, the person-days from it on, and all
    SELECT day, people, day - lag(day) OVER (ORDER BY day) AS since,
           sum(people) OVER (ORDER BY day DESC) AS from_here, sum(people) OVER () AS every
    FROM per_day WHERE people > 0
),
apart AS (
    SELECT min(day) FILTER (WHERE since > 90 AND from_here < 0.01 * every) AS apart_from_day FROM gaps
),
apart_use AS (
    SELECT any_value(a.apart_from_day) AS apart_from_day,
           max(g.day) FILTER (WHERE g.day < a.apart_from_day) AS apart_before_day,
           CAST(coalesce(sum(g.people) FILTER (WHERE g.day >= a.apart_from_day), 0) AS BIGINT) AS apart_person_days,
           CAST(coalesce(sum(g.people), 0) AS BIGINT) AS usage_person_days
    FROM gaps AS g, apart AS a
),
snapshot_days AS (
    SELECT max(s.snapshot) AS newest_snapshot
    FROM usage_snapshot_loads AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.org_id = s.org_id
    WHERE s.org_id = $org_id AND u.undone_at IS NULL
      AND ($rollout_id IS NULL OR EXISTS (
          SELECT 1 FROM rollouts AS r
          WHERE r.org_id = $org_id AND r.rollout_id = $rollout_id
            AND (len(r.activities) = 0 OR list_contains(r.activities, s.activity)
                 OR list_contains(r.legacy_activities, s.activity))))
),
ticket_days AS (
    SELECT max(greatest(CAST(created_at AS DATE), CAST(coalesce(updated_at, created_at) AS DATE)))
           AS newest_ticket_day,
           min(CAST(created_at AS DATE)) AS oldest_ticket_day
    FROM tickets WHERE org_id = $org_id
),
all_usage AS (
    SELECT min(day) AS oldest, max(day) AS newest FROM usage_daily WHERE org_id = $org_id AND events > 0
),
loads AS (
    SELECT max(loaded_at) AS last_load FROM uploads WHERE org_id = $org_id AND undone_at IS NULL
),
final AS (
    SELECT greatest(newest_usage_day, newest_snapshot) AS newest_usage_day, oldest_usage_day,
           newest_ticket_day, oldest_ticket_day,
           least(all_usage.oldest, oldest_ticket_day) AS oldest_data_day,
           greatest(all_usage.newest, newest_snapshot, newest_ticket_day) AS newest_data_day,
           last_load, apart_from_day, apart_before_day, apart_person_days, usage_person_days
    FROM usage_days, snapshot_days, ticket_days, all_usage, loads, apart_use
)
SELECT * FROM final
