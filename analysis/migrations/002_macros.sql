-- Table macros shared by the queries. Each takes the organisation as well as the rollout and
-- filters on both, so a rollout id from another organisation returns nothing.

-- The rollout's current roster: the newest roster snapshot whose upload is not undone.
CREATE MACRO current_roster(oid, rid) AS TABLE
    SELECT r.*
    FROM roster AS r
    WHERE r.org_id = oid
      AND r.rollout_id = rid
      AND r.upload_id = (
          SELECT max(u.upload_id) FROM uploads AS u
          WHERE u.org_id = oid AND u.rollout_id = rid AND u.kind = 'roster' AND u.undone_at IS NULL
      );

-- The rollout's licensed people with their cohort's go-live date.
CREATE MACRO licensed_people(oid, rid) AS TABLE
    SELECT p.user_id, p.display_name, p.department, p.cohort, c.go_live
    FROM current_roster(oid, rid) AS p
    JOIN cohorts AS c ON c.rollout_id = p.rollout_id AND c.cohort = p.cohort
    WHERE p.licensed;

-- Days on which a person of the organisation had usage with count > 0, classified for the
-- rollout: counting (one of its activities; by default every activity that is not legacy) or
-- legacy (one of its legacy activities).
CREATE MACRO rollout_usage(oid, rid) AS TABLE
    SELECT d.user_id, d.day, d.activity, d.events,
           list_contains(r.legacy_activities, d.activity) AS is_legacy,
           CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, d.activity)
                ELSE NOT list_contains(r.legacy_activities, d.activity) END AS is_counting
    FROM usage_daily AS d
    JOIN rollouts AS r ON r.org_id = d.org_id
    WHERE d.org_id = oid AND r.rollout_id = rid AND d.events > 0;
