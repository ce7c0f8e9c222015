-- Usage classified for a rollout: counting or legacy, by day and by ISO week.
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- Days on which a person of the organisation had usage with count > 0, classified for the
-- rollout: counting (one of its activities; by default every activity that is not legacy) or
-- legacy (one of its legacy activities).
CREATE OR REPLACE MACRO rollout_usage(oid, rid) AS TABLE
    SELECT d.user_id, d.day, d.activity, d.events,
           list_contains(r.legacy_activities, d.activity) AS is_legacy,
           CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, d.activity)
                ELSE NOT list_contains(r.legacy_activities, d.activity) END AS is_counting
    FROM usage_daily AS d
    JOIN rollouts AS r ON r.org_id = d.org_id
    WHERE d.org_id = oid AND r.rollout_id = rid AND d.events > 0;

-- rollout_usage folded over each person's day: the days on which a person had a counting
-- (counting) and/or a legacy (legacy) event of the rollout. Read from the rollout_days summary
-- (analysis/migrations/013_rollout_days.sql, kept at load and undo), so people x days, not events.
CREATE OR REPLACE MACRO rollout_person_days(oid, rid) AS TABLE
    SELECT user_id, day, counting, legacy
    FROM rollout_days
    WHERE org_id = oid AND rollout_id = rid;

-- The ISO weeks (by their Monday) in which each person of the organisation had a counting event
-- of the rollout, up to as_of.
CREATE OR REPLACE MACRO counting_weeks(oid, rid, as_of) AS TABLE
    SELECT DISTINCT user_id, CAST(date_trunc('week', day) AS DATE) AS week_start
    FROM rollout_person_days(oid, rid)
    WHERE counting AND day <= as_of;
