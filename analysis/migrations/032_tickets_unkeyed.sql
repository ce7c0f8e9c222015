-- The tickets table without its PRIMARY KEY, as migration 014 did for usage
-- (docs/performance.md#ingest). The key's index made every inserted ticket an index insertion and
-- the commit a rewrite of the index: 0.3 s of a 1 M-row (200 k-ticket) load's 2.8 s. A load keeps
-- one row per (organisation, source, ticket) itself: the file's rows collapse to one per ticket
-- (analysis/ingest/ticket_collapse.py) and a stored ticket is deleted before its new version is
-- inserted (analysis/ingest/ticket_merge.py), one load at a time per organisation
-- (analysis/load_slots.py) under the store's write lock; undo deletes its tickets before putting the
-- versions they replaced back (analysis/uploads.py). Same columns in the same order (023's last).

CREATE TABLE tickets_unkeyed (
    org_id            INTEGER NOT NULL,
    source            VARCHAR NOT NULL,
    ticket_id         VARCHAR NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    requester         VARCHAR,
    subject           VARCHAR,
    status            VARCHAR,
    priority          VARCHAR,
    category          VARCHAR,
    company           VARCHAR,
    updated_at        TIMESTAMP,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    resolved_approx   BOOLEAN NOT NULL DEFAULT false,
    reopened          INTEGER NOT NULL DEFAULT 0,
    satisfaction      VARCHAR,
    upload_id         INTEGER NOT NULL,
    sla_met           BOOLEAN,
    business_resolution_hours DOUBLE
);
INSERT INTO tickets_unkeyed
SELECT org_id, source, ticket_id, created_at, requester, subject, status, priority, category, company,
       updated_at, first_response_at, resolved_at, resolved_approx, reopened, satisfaction, upload_id,
       sla_met, business_resolution_hours
FROM tickets ORDER BY org_id, created_at;
DROP TABLE tickets;
ALTER TABLE tickets_unkeyed RENAME TO tickets;
