-- Data care (issue 17, analysis/care/).
-- load_attempts: every load (not a preview) is written here in its own small transaction before
-- the load's own transaction begins, and marked finished inside that transaction when it commits
-- (or after it, when the file is refused or the load fails). A row left unfinished by a process
-- that is gone is a load that never finished: nothing of it was stored (analysis/care/attempts.py).
CREATE SEQUENCE load_attempt_id_seq START 1;
CREATE TABLE load_attempts (
    attempt_id INTEGER PRIMARY KEY DEFAULT nextval('load_attempt_id_seq'),
    org_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    process VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP,
    outcome VARCHAR,
    upload_id INTEGER
);
-- care_log: erasures, off-boardings, backups and restores. detail never holds the erased person's
-- identifier or any of their data (analysis/care/erasure.py). No org_id column on purpose: the entry
-- that says an organisation was off-boarded outlives it (analysis/care/offboard.py).
CREATE SEQUENCE care_log_id_seq START 1;
CREATE TABLE care_log (
    entry_id INTEGER PRIMARY KEY DEFAULT nextval('care_log_id_seq'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    by_name VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR NOT NULL
);
