-- The per-person adoption facts of each rollout (the person_adoption macro,
-- analysis/queries/macros/3_adoption.sql) at the as-of day and window of the evaluation that records
-- the red flags (after a load and daily: analysis/schedule.py), kept so that the adoption figures read
-- at the same data and settings count these rows instead of recomputing them from every person-day
-- (analysis/person_facts.py). The key is that of the kept verdicts (analysis/alerts/verdict_cache.py).
-- One entry is one evaluation's people: every row of it carries the key. The columns after
-- computed_at are person_adoption's, in its order and types (the macro adoption_facts unions them).
CREATE SEQUENCE person_facts_entry_seq;
CREATE TABLE kept_person_facts (
    entry_id BIGINT NOT NULL,
    org_id INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    data_version VARCHAR NOT NULL,
    inputs_version VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    window_days INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    user_id VARCHAR,
    display_name VARCHAR,
    department VARCHAR,
    cohort VARCHAR,
    go_live DATE,
    first_use DATE,
    last_use DATE,
    days_to_first_use BIGINT,
    active_days BIGINT,
    active BOOLEAN,
    activated BOOLEAN,
    lapsed BOOLEAN,
    never_used BOOLEAN,
    legacy BOOLEAN,
    active_weeks BIGINT,
    habitual BOOLEAN
);
