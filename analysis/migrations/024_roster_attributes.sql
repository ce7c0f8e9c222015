-- The roster's extra columns (location, role, manager, company...): every column of a roster file
-- that maps to no roster field, per person of the load's snapshot, by its header text as written
-- (trimmed). An empty cell stores no row: the breakdowns say "(not given)" (analysis/breakdowns.py).
-- Keyed like roster, so undoing a load brings back the previous snapshot's attributes with it.
CREATE TABLE roster_attributes (
    upload_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    user_id    VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    value      VARCHAR NOT NULL,
    PRIMARY KEY (upload_id, user_id, name)
);
