-- The rollout's roster and its licensed people, on a given day (docs/metrics.md#roster-history).
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- The rollout's roster snapshots and the days each is in effect, [valid_from, valid_to): every
-- roster load not undone is dated (uploads.roster_as_of, analysis/migrations/026_roster_history.sql);
-- a snapshot holds from its date until the next dated one. Two loads dated the same day: the later
-- load. Days before the first date take the first snapshot (valid_from 0001-01-01): a roster loaded
-- after the usage it explains still explains it. The newest snapshot holds on (valid_to 9999-12-31).
CREATE OR REPLACE MACRO roster_snapshots(oid, rid) AS TABLE
    WITH dated AS (
        SELECT roster_as_of AS dated_on, max(upload_id) AS upload_id
        FROM uploads
        WHERE org_id = oid AND rollout_id = rid AND kind = 'roster' AND undone_at IS NULL
        GROUP BY roster_as_of
    )
    SELECT upload_id, dated_on,
           CASE WHEN dated_on = min(dated_on) OVER () THEN DATE '0001-01-01' ELSE dated_on END AS valid_from,
           coalesce(lead(dated_on) OVER (ORDER BY dated_on), DATE '9999-12-31') AS valid_to
    FROM dated;

-- The roster load in effect on day on_day (null: the current one, the newest snapshot).
CREATE OR REPLACE MACRO roster_upload_on(oid, rid, on_day) AS (
    SELECT any_value(upload_id) FROM roster_snapshots(oid, rid)
    WHERE coalesce(CAST(on_day AS DATE), DATE '9999-12-30') >= valid_from
      AND coalesce(CAST(on_day AS DATE), DATE '9999-12-30') < valid_to
);

-- The rollout's roster on day `on_day` (named; by default the current roster).
CREATE OR REPLACE MACRO current_roster(oid, rid, on_day := NULL) AS TABLE
    SELECT r.*
    FROM roster AS r
    WHERE r.org_id = oid
      AND r.rollout_id = rid
      AND r.upload_id = roster_upload_on(oid, rid, on_day);

-- The rollout's licensed people on day `on_day` (by default today's roster) with their cohort's go-live.
CREATE OR REPLACE MACRO licensed_people(oid, rid, on_day := NULL) AS TABLE
    SELECT p.user_id, p.display_name, p.department, p.cohort, c.go_live
    FROM current_roster(oid, rid, on_day := on_day) AS p
    JOIN cohorts AS c ON c.rollout_id = p.rollout_id AND c.cohort = p.cohort
    WHERE p.licensed;

-- The extra columns of the rollout's roster on day `on_day` (analysis/migrations/024_roster_attributes.sql).
CREATE OR REPLACE MACRO current_roster_attributes(oid, rid, on_day := NULL) AS TABLE
    SELECT a.user_id, a.name, a.value
    FROM roster_attributes AS a
    WHERE a.org_id = oid
      AND a.rollout_id = rid
      AND a.upload_id = roster_upload_on(oid, rid, on_day);

-- Every licensed stretch of every person over the roster's history: one row per person and run of
-- consecutive snapshots in which they are licensed with the same department and cohort, in effect
-- on the days [valid_from, valid_to). A person who leaves and comes back has two; one who moves
-- cohort or department has one per place. With one roster load this is licensed_people, each
-- person once, [0001-01-01, 9999-12-31). The per-day series read it (macros 6_series.sql and
-- the weekly queries), so each day counts the people licensed that day.
CREATE OR REPLACE MACRO licensed_spans(oid, rid) AS TABLE
    WITH rows AS (
        SELECT r.user_id, r.display_name, r.department, r.cohort, s.valid_from, s.valid_to
        FROM roster AS r
        JOIN roster_snapshots(oid, rid) AS s ON s.upload_id = r.upload_id
        WHERE r.org_id = oid AND r.rollout_id = rid AND r.licensed
    ),
    marked AS (   -- a new stretch where the previous one ends earlier or differs in place
        SELECT *,
               CASE WHEN lag(valid_to) OVER w = valid_from
                         AND lag(department) OVER w IS NOT DISTINCT FROM department
                         AND lag(cohort) OVER w = cohort THEN 0 ELSE 1 END AS starts
        FROM rows
        WINDOW w AS (PARTITION BY user_id ORDER BY valid_from)
    ),
    numbered AS (
        SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY valid_from) AS stretch FROM marked
    )
    SELECT n.user_id, arg_max(n.display_name, n.valid_from) AS display_name, n.department, n.cohort,
           any_value(c.go_live) AS go_live, min(n.valid_from) AS valid_from, max(n.valid_to) AS valid_to
    FROM numbered AS n
    JOIN cohorts AS c ON c.rollout_id = rid AND c.cohort = n.cohort
    GROUP BY n.user_id, n.stretch, n.department, n.cohort;

-- Everyone on any roster snapshot of the rollout not undone (licensed or not): a person who has
-- left is still known, so their earlier use is not "unknown people".
CREATE OR REPLACE MACRO rostered_people(oid, rid) AS TABLE
    SELECT DISTINCT r.user_id
    FROM roster AS r
    JOIN roster_snapshots(oid, rid) AS s ON s.upload_id = r.upload_id
    WHERE r.org_id = oid AND r.rollout_id = rid;
