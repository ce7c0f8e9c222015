-- The usage tables without PRIMARY KEY constraints (docs/performance.md#ingest). A key's index
-- made every inserted row cost an index insertion and the commit a rewrite of the index: 70 % of a
-- 2 M-row load. A load already keeps the keys unique itself, in SQL: the first row of each
-- (person, time, activity) of the file, and only when it is not stored (analysis/ingest/usage.py),
-- one load at a time per organisation (analysis/load_slots.py) under the store's write lock; the
-- daily summary is recomputed per touched key (analysis/ingest/merge.py: refresh_daily). Rows are
-- copied in organisation order, so DuckDB's per-block min/max skip other organisations' blocks.

CREATE TABLE usage_events_unkeyed (
    org_id      INTEGER NOT NULL,
    user_id     VARCHAR NOT NULL,
    event_at    TIMESTAMP NOT NULL,
    day         DATE NOT NULL,
    activity    VARCHAR NOT NULL,
    events      BIGINT NOT NULL,
    upload_id   INTEGER NOT NULL,
    snapshot    DATE
);
INSERT INTO usage_events_unkeyed
SELECT org_id, user_id, event_at, day, activity, events, upload_id, snapshot FROM usage_events
ORDER BY org_id, day, user_id;
DROP TABLE usage_events;
ALTER TABLE usage_events_unkeyed RENAME TO usage_events;

CREATE TABLE usage_daily_unkeyed (
    org_id   INTEGER NOT NULL,
    user_id  VARCHAR NOT NULL,
    day      DATE NOT NULL,
    activity VARCHAR NOT NULL,
    events   BIGINT NOT NULL
);
INSERT INTO usage_daily_unkeyed
SELECT org_id, user_id, day, activity, events FROM usage_daily ORDER BY org_id, day, user_id;
DROP TABLE usage_daily;
ALTER TABLE usage_daily_unkeyed RENAME TO usage_daily;
