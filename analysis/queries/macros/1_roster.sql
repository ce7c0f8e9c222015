-- The rollout's roster and its licensed people.
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- The rollout's current roster: the newest roster snapshot whose upload is not undone.
CREATE OR REPLACE MACRO current_roster(oid, rid) AS TABLE
    SELECT r.*
    FROM roster AS r
    WHERE r.org_id = oid
      AND r.rollout_id = rid
      AND r.upload_id = (
          SELECT max(u.upload_id) FROM uploads AS u
          WHERE u.org_id = oid AND u.rollout_id = rid AND u.kind = 'roster' AND u.undone_at IS NULL
      );

-- The rollout's licensed people with their cohort's go-live date.
CREATE OR REPLACE MACRO licensed_people(oid, rid) AS TABLE
    SELECT p.user_id, p.display_name, p.department, p.cohort, c.go_live
    FROM current_roster(oid, rid) AS p
    JOIN cohorts AS c ON c.rollout_id = p.rollout_id AND c.cohort = p.cohort
    WHERE p.licensed;

-- The extra columns of the rollout's current roster (analysis/migrations/024_roster_attributes.sql).
CREATE OR REPLACE MACRO current_roster_attributes(oid, rid) AS TABLE
    SELECT a.user_id, a.name, a.value
    FROM roster_attributes AS a
    WHERE a.org_id = oid
      AND a.rollout_id = rid
      AND a.upload_id = (
          SELECT max(u.upload_id) FROM uploads AS u
          WHERE u.org_id = oid AND u.rollout_id = rid AND u.kind = 'roster' AND u.undone_at IS NULL
      );
