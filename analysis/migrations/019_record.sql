-- The change-leadership record's three loaded kinds (docs/formats.md, docs/metrics.md): readiness
-- entries (dated training sessions and communications), feedback (pulse-survey answers) and KPI
-- series (any KPI from another system). Each stored row carries the load (upload_id) that wrote it,
-- as the roster does: a load writes a row only for a key it adds or changes, the current row of a
-- key is the newest one whose load is not undone (analysis/queries/macros/7_record.sql), so undo
-- brings the previous version back and deletes nothing.

CREATE TABLE readiness_entries (
    upload_id   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    day         DATE NOT NULL,
    cohort      VARCHAR,                  -- the cohort it was for, or null
    department  VARCHAR,                  -- the department it was for, or null (one of the two is set)
    kind        VARCHAR NOT NULL,         -- training | communication
    title       VARCHAR NOT NULL,
    attendance  INTEGER,                  -- how many attended, when counted
    attendees   VARCHAR[],                -- who attended (user ids), when listed
    CHECK (cohort IS NOT NULL OR department IS NOT NULL)
);

CREATE TABLE feedback_answers (
    upload_id   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    respondent  VARCHAR NOT NULL,         -- the person's user id, or 'anonymous:<response>' for an anonymous answer
    user_id     VARCHAR,                  -- null: anonymous
    day         DATE NOT NULL,
    question    VARCHAR NOT NULL,
    score       INTEGER,                  -- 1..5; null for a comment alone
    comment     VARCHAR,
    cohort      VARCHAR,                  -- as given in the file (an anonymous answer's group); else the roster's
    department  VARCHAR,
    CHECK (score IS NULL OR score BETWEEN 1 AND 5)
);

CREATE TABLE kpi_points (
    upload_id   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    kpi         VARCHAR NOT NULL,         -- trimmed, lower case
    day         DATE NOT NULL,
    value       DOUBLE NOT NULL,
    unit        VARCHAR,
    direction   VARCHAR NOT NULL,         -- up (higher is better) | down
    target      DOUBLE,
    grp         VARCHAR NOT NULL DEFAULT '' -- a cohort or department the value is for; '' the whole rollout
);

-- Whether client views of the organisation may read the survey comments (never with a name, never
-- for a group under 5 answers: analysis/feedback.py); off until a provider turns it on.
CREATE TABLE feedback_settings (
    org_id              INTEGER PRIMARY KEY,
    comments_to_clients BOOLEAN NOT NULL,
    set_by              VARCHAR NOT NULL,
    set_at              TIMESTAMP NOT NULL
);
