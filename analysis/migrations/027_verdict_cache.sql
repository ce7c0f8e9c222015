-- The red-flag verdicts of each rollout, kept by the evaluation that records them (after a load
-- and daily: analysis/schedule.py) so that a read (the pages, `kpis`, `alerts`) at the same data
-- and settings reuses them instead of recomputing (analysis/alerts/verdict_cache.py). What the
-- rules computed, never the alerts' states: acknowledgements, snoozes and notes live in alerts.
-- A row answers only its own key: the organisation, the rollout, the data version (every load and
-- undo), the fingerprint of every other input the rules read (settings, thresholds, targets,
-- baselines, the code), the as-of day and the window. No key index: a few rows per rollout.
CREATE TABLE alert_verdicts (
    org_id INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    data_version VARCHAR NOT NULL,
    inputs_version VARCHAR NOT NULL,
    as_of DATE NOT NULL,                -- the day the rules were evaluated as of
    window_days INTEGER NOT NULL,
    newest_usage DATE,                  -- STALE_DATA is judged at read time against today
    newest_ticket DATE,
    stale_days INTEGER NOT NULL,        -- STALE_DATA's max_age_days
    findings VARCHAR NOT NULL,          -- JSON: every verdict that holds or cannot be judged
    computed_at TIMESTAMP NOT NULL
);
