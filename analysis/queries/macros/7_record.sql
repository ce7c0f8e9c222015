-- The change-leadership record's current rows (migration 019): per key, the row of the newest load
-- that is not undone, so undoing a load brings back the version before it.
--
-- Applied on every open of the store, in file order (analysis/store.py), after the migrations. Each
-- macro takes the organisation as well as the rollout and filters on both.

-- Dated training sessions and communications; key (day, cohort, department, kind, title).
CREATE OR REPLACE MACRO current_readiness(oid, rid) AS TABLE
    SELECT e.*
    FROM readiness_entries AS e
    JOIN uploads AS u ON u.upload_id = e.upload_id AND u.org_id = e.org_id AND u.undone_at IS NULL
    WHERE e.org_id = oid AND e.rollout_id = rid
    QUALIFY row_number() OVER (
        PARTITION BY e.day, e.cohort, e.department, e.kind, lower(e.title) ORDER BY e.upload_id DESC
    ) = 1;

-- Pulse-survey answers; key (respondent, day, question).
CREATE OR REPLACE MACRO current_feedback(oid, rid) AS TABLE
    SELECT f.*
    FROM feedback_answers AS f
    JOIN uploads AS u ON u.upload_id = f.upload_id AND u.org_id = f.org_id AND u.undone_at IS NULL
    WHERE f.org_id = oid AND f.rollout_id = rid
    QUALIFY row_number() OVER (PARTITION BY f.respondent, f.day, f.question ORDER BY f.upload_id DESC) = 1;

-- KPI series readings; key (kpi, day, grp).
CREATE OR REPLACE MACRO current_kpi_points(oid, rid) AS TABLE
    SELECT k.*
    FROM kpi_points AS k
    JOIN uploads AS u ON u.upload_id = k.upload_id AND u.org_id = k.org_id AND u.undone_at IS NULL
    WHERE k.org_id = oid AND k.rollout_id = rid
    QUALIFY row_number() OVER (PARTITION BY k.kpi, k.day, k.grp ORDER BY k.upload_id DESC) = 1;
