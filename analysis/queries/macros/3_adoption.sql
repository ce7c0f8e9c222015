-- The per-person adoption facts every adoption figure counts (docs/metrics.md#adoption-metrics).
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- One row per person licensed on day `as_of` (the roster in effect that day, macro licensed_people) with a window of `w` days
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
CREATE OR REPLACE MACRO person_adoption(oid, rid, as_of, w) AS TABLE
    WITH people AS (
        SELECT user_id, display_name, department, cohort, go_live FROM licensed_people(oid, rid, on_day := as_of)
    ),
    days AS (
        SELECT user_id, day, counting, legacy
        FROM rollout_person_days(oid, rid)
        WHERE day <= as_of
    ),
    -- One pass over the people's days (read once: a second reader would make DuckDB materialise
    -- the whole of `days` first, most of the query's time). The habit weeks are a 12-bit mask, bit
    -- k set when the person has a counting day in the k-th week before as_of's (Monday start):
    -- bit_count gives the distinct weeks without grouping by person and week. The shift sits inside
    -- a CASE: DuckDB computes an aggregate's argument for the rows its FILTER leaves out too, and a
    -- day 32 weeks or more before as_of's would shift an INTEGER out of range.
    per_person AS (   -- one row per person (user_id is unique in a roster snapshot); the names
                      -- join back on these rows, not carried through every person-day
        SELECT p.user_id,
               min(u.day) FILTER (WHERE u.counting AND u.day >= p.go_live) AS first_use,
               max(u.day) FILTER (WHERE u.counting) AS last_use,
               count(u.day) FILTER (WHERE u.counting AND u.day > as_of - w) AS active_days,
               count(u.day) FILTER (WHERE u.counting AND u.day >= p.go_live AND u.day <= as_of - w)
                   AS days_used_before_window,
               count(u.day) FILTER (WHERE u.legacy AND u.day > as_of - 14) AS legacy_days,
               bit_count(bit_or(CASE WHEN u.day >= CAST(date_trunc('week', as_of) AS DATE) - 77
                   THEN CAST(1 AS INTEGER) << CAST(
                       (CAST(date_trunc('week', as_of) AS DATE) - CAST(date_trunc('week', u.day) AS DATE)) // 7
                       AS INTEGER) END)
                   FILTER (WHERE u.counting))
                   AS habit_weeks
        FROM (SELECT user_id, go_live FROM people) AS p
        LEFT JOIN days AS u ON u.user_id = p.user_id
        GROUP BY p.user_id
    ),
    final AS (
        SELECT user_id, people.display_name, people.department, people.cohort, people.go_live, first_use, last_use,
               first_use - people.go_live AS days_to_first_use,
               active_days, active_days > 0 AS active,
               first_use IS NOT NULL AS activated,
               days_used_before_window > 0 AND active_days = 0 AS lapsed,
               last_use IS NULL AS never_used,
               legacy_days > 0 AS legacy,
               CAST(coalesce(habit_weeks, 0) AS BIGINT) AS active_weeks,
               CASE WHEN as_of - people.go_live >= 84 THEN coalesce(habit_weeks, 0) >= 9 END AS habitual
        FROM per_person
        JOIN people USING (user_id)
    )
    SELECT * FROM final;

-- person_adoption, or the copy of it kept as entry `kept` of kept_person_facts (analysis/person_facts.py):
-- every adoption figure reads its people through this. kept is a bound value (an entry id, or null to
-- compute), so DuckDB plans one side only; the kept side still checks the organisation, the rollout,
-- the day and the window, so an entry of anything else gives no rows.
CREATE OR REPLACE MACRO adoption_facts(oid, rid, on_day, w, kept) AS TABLE
    SELECT user_id, display_name, department, cohort, go_live, first_use, last_use, days_to_first_use,
           active_days, active, activated, lapsed, never_used, legacy, active_weeks, habitual
    FROM kept_person_facts
    WHERE kept IS NOT NULL AND entry_id = kept AND org_id = oid AND rollout_id = rid
      AND as_of = on_day AND window_days = w
    UNION ALL
    SELECT * FROM person_adoption(oid, rid, on_day, w) WHERE kept IS NULL;
