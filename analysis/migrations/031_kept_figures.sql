-- The results of the queries behind each rollout's default view (the newest day and the rollout's
-- window: the time series the pages chart and the data's freshness), kept by the evaluation that
-- records the red flags (after a load and daily: analysis/schedule.py) so that a page read at the
-- same data and settings takes them instead of reading every person-day again
-- (analysis/kept_figures.py). The key is that of the kept verdicts (analysis/alerts/verdict_cache.py)
-- with the query's name and its bound values. No key index: a few rows per rollout.
CREATE TABLE kept_figures (
    org_id INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    data_version VARCHAR NOT NULL,
    inputs_version VARCHAR NOT NULL,
    query VARCHAR NOT NULL,             -- analysis/queries/<query>.sql
    params VARCHAR NOT NULL,            -- its bound values but the organisation, as JSON with sorted keys
    frame BLOB NOT NULL,                -- the result, an Arrow IPC stream
    computed_at TIMESTAMP NOT NULL
);
