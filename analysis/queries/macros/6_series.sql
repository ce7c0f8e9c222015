-- The per-day series the rules and the champion curve read (queries adoption_series and
-- champion_series), a macro so that each passes its cohort.
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations:
-- change a metric here, no migration needed. Each macro over a client's data takes the organisation
-- as well as the rollout and filters on both, so a rollout id from another organisation returns nothing.

-- adoption_series(oid, rid, start_day, end_day, w, only_cohort, habit): for every day from start_day to
-- end_day, per cohort and department of the rollout's licensed people (of cohort only_cohort alone
-- when it is not null), the counts that cohort_figures gives as of that day with a window of w
-- days (active, activated, lapsed, legacy, habitual), so a rule can be evaluated back in time, and
-- a champion curve stored, in one query. Each day counts the people licensed that day (macro
-- licensed_spans: a person who joined, left or moved counts where the roster put them that day).
-- Events after a day are ignored for that day, as everywhere.
--   active     a counting day in [day - w + 1, day]
--   activated  a counting day in [go_live, day]
--   lapsed     a counting day in [go_live, day - w] and none in the window
--   legacy     a legacy day in [day - 13, day]
--   habitual   counting days in >= 9 of the 12 ISO weeks ending with day's week (that week up to
--              day); null while day - go_live < 84, and always null when habit is false: the red-flag
--              rules do not read it, and without it the grid needs 77 fewer days before start_day
CREATE OR REPLACE MACRO adoption_series(oid, rid, start_day, end_day, w, only_cohort, habit) AS TABLE
    WITH bounds AS (
        -- far enough back for the window, the 14 legacy days and the 11 weeks before day's week
        SELECT CAST(start_day AS DATE) AS first_day,
               CAST(end_day AS DATE) AS last_day,
               CASE WHEN habit THEN least(CAST(start_day AS DATE) - greatest(w, 14),
                                          CAST(date_trunc('week', CAST(start_day AS DATE)) AS DATE) - 77)
                    ELSE CAST(start_day AS DATE) - greatest(w, 14) END AS lo
    ),
    people AS (   -- pid: a number per licensed stretch of a person (macro licensed_spans; with one
                  -- roster, per person), so the per-person windows and joins below sort integers
        SELECT row_number() OVER () AS pid, user_id, department, cohort, go_live, valid_from, valid_to
        FROM licensed_spans(oid, rid)
        WHERE (only_cohort IS NULL OR cohort = only_cohort)   -- one cohort (the champion curve) or all
          AND valid_to > CAST(start_day AS DATE) AND valid_from <= CAST(end_day AS DATE)
    ),
    usage AS (
        SELECT p.pid, u.day, u.counting, u.legacy
        FROM rollout_person_days(oid, rid) AS u
        JOIN people AS p USING (user_id), bounds AS b
        WHERE u.day <= b.last_day
    ),
    earlier AS (   -- counting days on or after go-live that fall before the grid starts
        SELECT p.pid, count(*) AS used_days
        FROM people AS p
        JOIN usage AS u USING (pid), bounds AS b
        WHERE u.counting AND u.day >= p.go_live AND u.day < b.lo
        GROUP BY p.pid
    ),
    days AS (
        SELECT CAST(unnest(generate_series(CAST(lo AS TIMESTAMP), CAST(last_day AS TIMESTAMP), INTERVAL 1 DAY))
                    AS DATE) AS day
        FROM bounds
    ),
    flags AS (
        SELECT p.pid, p.department, p.cohort, p.go_live, p.valid_from, p.valid_to, d.day,
               coalesce(u.counting, false) AS counting,
               coalesce(u.counting, false) AND d.day >= p.go_live AS counting_live,
               coalesce(u.legacy, false) AS legacy
        FROM people AS p
        CROSS JOIN days AS d
        LEFT JOIN usage AS u ON u.pid = p.pid AND u.day = d.day
    ),
    running AS (   -- days are dense per person (people x days), so a ROWS frame of n rows is n days
        SELECT *,
               sum(CAST(counting AS INTEGER)) OVER (per_person ROWS BETWEEN w - 1 PRECEDING AND CURRENT ROW)
                   AS window_counting,
               coalesce(sum(CAST(counting_live AS INTEGER)) OVER (
                   per_person ROWS BETWEEN UNBOUNDED PRECEDING AND w PRECEDING), 0) AS live_before_window,
               sum(CAST(counting_live AS INTEGER)) OVER (per_person ROWS UNBOUNDED PRECEDING) AS cum_live,
               sum(CAST(legacy AS INTEGER)) OVER (per_person ROWS BETWEEN 13 PRECEDING AND CURRENT ROW) AS recent_legacy
        FROM flags
        WINDOW per_person AS (PARTITION BY pid ORDER BY day)
    ),
    weeks AS (     -- per person and ISO week: the first counting day in it
        SELECT pid, CAST(date_trunc('week', day) AS DATE) AS week_start,
               min(day) FILTER (WHERE counting) AS first_counting_day
        FROM flags
        WHERE habit
        GROUP BY pid, CAST(date_trunc('week', day) AS DATE)
    ),
    habit_weeks AS (   -- weeks with a counting day among the 11 weeks before each week
        SELECT pid, week_start, first_counting_day,
               count(first_counting_day) OVER (PARTITION BY pid ORDER BY week_start
                                               ROWS BETWEEN 11 PRECEDING AND 1 PRECEDING) AS prior_weeks
        FROM weeks
    ),
    per_person AS (
        SELECT r.pid, r.department, r.cohort, r.go_live, r.day,
               r.window_counting > 0 AS active,
               coalesce(e.used_days, 0) + r.cum_live > 0 AS activated,
               coalesce(e.used_days, 0) + r.live_before_window > 0 AND r.window_counting = 0 AS lapsed,
               r.recent_legacy > 0 AS legacy,
               CASE WHEN habit AND r.day - r.go_live >= 84
                    THEN coalesce(h.prior_weeks, 0)
                         + CAST(coalesce(h.first_counting_day <= r.day, false) AS INTEGER) >= 9 END AS habitual
        FROM running AS r
        JOIN bounds AS b ON r.day BETWEEN b.first_day AND b.last_day
                        AND r.day >= r.valid_from AND r.day < r.valid_to   -- licensed that day
        LEFT JOIN earlier AS e ON e.pid = r.pid
        LEFT JOIN habit_weeks AS h
               ON h.pid = r.pid AND h.week_start = CAST(date_trunc('week', r.day) AS DATE)
    ),
    final AS (
        SELECT day, cohort, department, any_value(go_live) AS go_live,
               count(*) AS licensed_users,
               count(*) FILTER (WHERE active) AS active_users,
               count(*) FILTER (WHERE activated) AS activated_users,
               count(*) FILTER (WHERE lapsed) AS lapsed_users,
               count(*) FILTER (WHERE legacy) AS legacy_users,
               count(*) FILTER (WHERE habitual) AS habitual_users
        FROM per_person
        GROUP BY day, cohort, department
    )
    SELECT * FROM final;
