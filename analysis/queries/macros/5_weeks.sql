-- ISO weeks and the rollout's cohorts, for the weekly queries.
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- The ISO weeks (Monday start) from the week of from_day to the week of to_day, by their Monday.
CREATE OR REPLACE MACRO iso_weeks(from_day, to_day) AS TABLE
    SELECT CAST(w AS DATE) AS week_start
    FROM range(CAST(date_trunc('week', CAST(from_day AS DATE)) AS TIMESTAMP),
               CAST(date_trunc('week', CAST(to_day AS DATE)) AS TIMESTAMP) + INTERVAL 1 DAY,
               INTERVAL 7 DAY) AS t(w);

-- The rollout's cohorts with their go-live, then 'all' (no go-live). Filters on the organisation
-- as well as the rollout, so a rollout id from another organisation returns 'all' only.
CREATE OR REPLACE MACRO rollout_cohorts(oid, rid) AS TABLE
    SELECT c.cohort, c.go_live FROM cohorts AS c
    JOIN rollouts AS r USING (rollout_id)
    WHERE r.org_id = oid AND c.rollout_id = rid
    UNION ALL SELECT 'all', NULL;

-- The people licensed in each ISO week from from_day's week to to_day's (macro licensed_spans):
-- those licensed on the week's last day, or on to_day for the week that holds it, so a week's
-- figures do not move when a later roster arrives.
CREATE OR REPLACE MACRO weekly_licensed(oid, rid, from_day, to_day) AS TABLE
    SELECT w.week_start, s.user_id, s.department, s.cohort
    FROM iso_weeks(from_day, to_day) AS w
    JOIN licensed_spans(oid, rid) AS s
      ON least(w.week_start + 6, CAST(to_day AS DATE)) >= s.valid_from
     AND least(w.week_start + 6, CAST(to_day AS DATE)) < s.valid_to;
