-- KPI baselines, targets and red-flag alerts (issue 4; docs/metrics.md#the-kpi-table and #red-flag-rules).
-- Every table carries org_id, and every read of it goes through a query file that filters on it.

CREATE SEQUENCE baseline_id_seq START 1;
CREATE SEQUENCE alert_id_seq START 1;
CREATE SEQUENCE alert_event_id_seq START 1;

-- A locked, named baseline: its window, the figures computed over it when it was locked (JSON),
-- the loads those figures were computed from, and who locked it when. It never changes: later
-- loads (or undoing the loads it lists) do not move it. Names are unique per rollout.
CREATE TABLE baselines (
    baseline_id  INTEGER PRIMARY KEY DEFAULT nextval('baseline_id_seq'),
    org_id       INTEGER NOT NULL,
    rollout_id   INTEGER NOT NULL,
    name         VARCHAR NOT NULL,
    window_start DATE NOT NULL,
    window_end   DATE NOT NULL,
    as_of        DATE,                      -- the data's as-of date when it was locked
    figures      VARCHAR NOT NULL,          -- JSON: see analysis/baselines.py
    upload_ids   INTEGER[] NOT NULL DEFAULT [],
    locked_by    VARCHAR NOT NULL,
    locked_at    TIMESTAMP NOT NULL,
    UNIQUE (rollout_id, name),
    CHECK (window_start <= window_end)
);

-- The baseline the rollout's KPI table and ticket rules use (no row, or a null baseline_id:
-- the computed baseline window).
CREATE TABLE baseline_selection (
    rollout_id  INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    baseline_id INTEGER,
    chosen_by   VARCHAR NOT NULL,
    chosen_at   TIMESTAMP NOT NULL
);

-- A rollout's target for a KPI, overriding the default (adoption: the rollout's own target and
-- target age; tickets and resolution: the rollout's target columns; others: none).
CREATE TABLE kpi_targets (
    rollout_id   INTEGER NOT NULL,
    org_id       INTEGER NOT NULL,
    kpi          VARCHAR NOT NULL,
    target       DOUBLE,                    -- null: no target
    due_age_days INTEGER,                   -- null: the rollout's target age
    set_by       VARCHAR NOT NULL,
    set_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (rollout_id, kpi)
);

-- A rollout's override of a red-flag rule's threshold (the defaults live in analysis/alerts.py).
CREATE TABLE alert_settings (
    rollout_id INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    rule       VARCHAR NOT NULL,
    setting    VARCHAR NOT NULL,
    value      DOUBLE NOT NULL,
    set_by     VARCHAR NOT NULL,
    set_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (rollout_id, rule, setting)
);

-- One alert episode per (rollout, rule, cohort, department, kind): opened when the rule first
-- holds (or cannot be judged), closed (state 'resolved') when it no longer does. A later
-- recurrence opens a new episode with a new id. `state` is the state at the last evaluation;
-- acknowledgement and snooze are kept on the episode.
CREATE TABLE alerts (
    alert_id        INTEGER PRIMARY KEY DEFAULT nextval('alert_id_seq'),
    org_id          INTEGER NOT NULL,
    rollout_id      INTEGER NOT NULL,
    rule            VARCHAR NOT NULL,
    cohort          VARCHAR,
    department      VARCHAR,
    kind            VARCHAR,                -- STALE_DATA: usage | tickets
    state           VARCHAR NOT NULL,       -- firing | acknowledged | snoozed | not_enough_data | resolved
    severity        VARCHAR NOT NULL,       -- high | medium
    since           DATE,
    message         VARCHAR NOT NULL,
    evidence        VARCHAR NOT NULL,       -- JSON
    action          VARCHAR NOT NULL,
    as_of           DATE,
    opened_at       TIMESTAMP NOT NULL,
    evaluated_at    TIMESTAMP NOT NULL,
    acknowledged_by VARCHAR,
    acknowledged_at TIMESTAMP,
    note            VARCHAR,
    snoozed_until   DATE,
    snoozed_by      VARCHAR,
    resolved_at     TIMESTAMP
);

-- The history: every change of an alert's state, and every acknowledgement and snooze.
CREATE TABLE alert_events (
    event_id   INTEGER PRIMARY KEY DEFAULT nextval('alert_event_id_seq'),
    alert_id   INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    event_at   TIMESTAMP NOT NULL,
    event      VARCHAR NOT NULL,            -- fired | not_enough_data | acknowledged | snoozed |
                                            -- snooze_ended | escalated | resolved | ...
    from_state VARCHAR,
    to_state   VARCHAR NOT NULL,
    by_name    VARCHAR NOT NULL,            -- 'system' for evaluations
    note       VARCHAR,
    as_of      DATE,
    severity   VARCHAR,
    evidence   VARCHAR                      -- JSON, for fired/escalated/resolved
);
