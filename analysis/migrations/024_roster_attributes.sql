-- The roster's other columns (issue 16 part 2, docs/formats.md#rosters-as-clients-send-them): a client's licence list
-- often carries location, role, manager or company beside the fields Uptake reads. Each non-blank
-- cell of such a column is kept per roster load (snapshot) and person, under the file's own
-- header, so the Adoption page can break the figures down by it.
CREATE TABLE roster_attributes (
    upload_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    user_id    VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,   -- the column's header as the file has it, trimmed
    value      VARCHAR NOT NULL,   -- the cell, trimmed
    PRIMARY KEY (upload_id, user_id, name)
);
