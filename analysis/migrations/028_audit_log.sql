-- The audit log (issue 17 part 7, analysis/audit.py): one entry per
-- write, made inside the write's own transaction (analysis/store.py Store.transaction), so a
-- rolled-back write leaves none. who: an account's e-mail, "command line (OS user)", "inbox",
-- "schedule" or "unknown"; place: the page's title, "command line", "inbox", "API" or "schedule".
-- org_id and org_name are those at the time (no foreign key: the entry outlives a renamed
-- organisation; off-boarding deletes an organisation's entries with its other rows). detail holds
-- counts, file and setting names only: never a person's id or name (analysis/care/erasure.py).
CREATE SEQUENCE audit_log_id_seq START 1;
CREATE TABLE audit_log (
    entry_id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    who VARCHAR NOT NULL,
    place VARCHAR NOT NULL,
    org_id INTEGER,
    org_name VARCHAR,
    action VARCHAR NOT NULL,
    detail VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (logged_at);
