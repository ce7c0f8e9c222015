-- Real export formats (issue 5): the snapshot date of usage from snapshot reports, saved column
-- mappings, and the company -> organisation mapping that splits exports covering several clients.

-- The report's refresh date for events taken from a snapshot export (Microsoft 365 reports:
-- one event per product on its last-activity date); null for event-level data.
ALTER TABLE usage_events ADD COLUMN snapshot DATE;

-- A saved manual mapping {canonical field: source column} for files of no known format,
-- used with `load --format <name>`; dayfirst settles d/m/y dates their values leave open.
CREATE TABLE mapping_presets (
    org_id    INTEGER NOT NULL,
    name      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,          -- roster | usage | tickets
    mapping   VARCHAR NOT NULL,          -- JSON object {field: column}
    dayfirst  BOOLEAN,                   -- null: decided by the values
    saved_by  VARCHAR NOT NULL,
    saved_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (org_id, name)
);

-- Which organisation a company named in a multi-client ticket export belongs to (the name
-- trimmed and in lower case). Rows of a company mapped elsewhere, or not mapped, are never
-- loaded into an organisation.
CREATE TABLE company_mappings (
    company   VARCHAR PRIMARY KEY,
    org_id    INTEGER NOT NULL,
    mapped_by VARCHAR NOT NULL,
    mapped_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
