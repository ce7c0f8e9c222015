-- The refresh dates of snapshot exports (Microsoft 365 reports) and the activities each covered,
-- per load. Kept apart from usage_events because a snapshot whose rows were all stored before (a
-- quiet week) adds no event yet still tells how far apart the snapshots are (docs/metrics.md#figures-from-snapshot-exports,
-- exports: a figure whose period is shorter than that spacing is not computable).
CREATE TABLE usage_snapshot_loads (
    org_id    INTEGER NOT NULL,
    upload_id INTEGER NOT NULL,
    snapshot  DATE NOT NULL,
    activity  VARCHAR NOT NULL,
    PRIMARY KEY (upload_id, snapshot, activity)
);

INSERT INTO usage_snapshot_loads
SELECT DISTINCT org_id, upload_id, snapshot, activity FROM usage_events WHERE snapshot IS NOT NULL;
