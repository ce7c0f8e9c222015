-- The computed baseline of each rollout with its champion curve, kept by the evaluation that
-- records the red flags (after a load and daily: analysis/schedule.py) so that the KPI table read
-- at the same data and settings reuses it instead of recomputing (analysis/kpis/baseline_cache.py).
-- The key is that of the kept verdicts (analysis/alerts/verdict_cache.py): the organisation and
-- rollout, the data version, the fingerprint of the other inputs and the code, the as-of day and
-- the window. No key index: a few rows per rollout.
CREATE TABLE kept_baselines (
    org_id INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    data_version VARCHAR NOT NULL,
    inputs_version VARCHAR NOT NULL,
    as_of DATE NOT NULL,                -- the champion curve runs to this day
    window_days INTEGER NOT NULL,
    window_start DATE NOT NULL,         -- the baseline window the figures are over
    window_end DATE NOT NULL,
    figures VARCHAR NOT NULL,           -- JSON: Baseline.figures (analysis/kpis/baselines.py)
    computed_at TIMESTAMP NOT NULL
);
