-- Core schema: organisations, rollouts, cohorts, the load history and the stored data.
-- Every stored data row carries the upload (load) that wrote it, so any load can be undone.

CREATE SEQUENCE org_id_seq START 1;
CREATE SEQUENCE rollout_id_seq START 1;
CREATE SEQUENCE upload_id_seq START 1;

CREATE TABLE organisations (
    org_id        INTEGER PRIMARY KEY DEFAULT nextval('org_id_seq'),
    name          VARCHAR NOT NULL UNIQUE,
    time_zone     VARCHAR NOT NULL DEFAULT 'UTC',
    email_domains VARCHAR[] NOT NULL DEFAULT [],
    list_names_to_clients BOOLEAN NOT NULL DEFAULT false,
    is_synthetic  BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE rollouts (
    rollout_id        INTEGER PRIMARY KEY DEFAULT nextval('rollout_id_seq'),
    org_id            INTEGER NOT NULL,
    name              VARCHAR NOT NULL,
    activities        VARCHAR[] NOT NULL DEFAULT [],   -- empty: every activity that is not legacy
    legacy_activities VARCHAR[] NOT NULL DEFAULT [],
    ticket_categories VARCHAR[] NOT NULL DEFAULT [],   -- empty with no keywords: every ticket
    ticket_keywords   VARCHAR[] NOT NULL DEFAULT [],
    target_adoption   DOUBLE NOT NULL DEFAULT 0.8,
    target_age_days   INTEGER NOT NULL DEFAULT 30,
    target_tickets_per_100 DOUBLE,
    target_median_resolution_hours DOUBLE,
    window_days       INTEGER NOT NULL DEFAULT 28,
    baseline_start    DATE,                            -- null: the 28 days before the first go-live
    baseline_end      DATE,
    created_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (org_id, name)
);

CREATE TABLE cohorts (
    rollout_id INTEGER NOT NULL,
    cohort     VARCHAR NOT NULL,
    go_live    DATE NOT NULL,
    PRIMARY KEY (rollout_id, cohort)
);

CREATE TABLE uploads (
    upload_id      INTEGER PRIMARY KEY DEFAULT nextval('upload_id_seq'),
    org_id         INTEGER NOT NULL,
    rollout_id     INTEGER,
    kind           VARCHAR NOT NULL,          -- roster | usage | tickets
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    format         VARCHAR NOT NULL,
    loaded_by      VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    rows_read      INTEGER NOT NULL,
    rows_loaded    INTEGER NOT NULL,
    rows_updated   INTEGER NOT NULL,
    rows_rejected  INTEGER NOT NULL,
    rows_duplicate INTEGER NOT NULL,
    unknown_people INTEGER NOT NULL DEFAULT 0,
    messages       VARCHAR[] NOT NULL DEFAULT [],
    undone_at      TIMESTAMP,
    undone_by      VARCHAR,
    CHECK (rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate)
);

CREATE TABLE rejected_rows (
    upload_id   INTEGER NOT NULL,
    line        INTEGER NOT NULL,     -- line number in the file, the header being line 1
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR
);

-- A roster upload stores the rollout's whole roster as it stands after that upload (a snapshot):
-- the current roster is the newest snapshot whose upload is not undone, so undo brings the
-- previous list back.
CREATE TABLE roster (
    upload_id    INTEGER NOT NULL,
    org_id       INTEGER NOT NULL,
    rollout_id   INTEGER NOT NULL,
    user_id      VARCHAR NOT NULL,    -- trimmed, lower case
    display_name VARCHAR,
    department   VARCHAR NOT NULL,
    cohort       VARCHAR NOT NULL,
    licensed     BOOLEAN NOT NULL,
    PRIMARY KEY (upload_id, user_id)
);

-- One row per usage row as it was loaded, identified by (organisation, user, time, activity).
CREATE TABLE usage_events (
    org_id      INTEGER NOT NULL,
    user_id     VARCHAR NOT NULL,
    event_at    TIMESTAMP NOT NULL,   -- local time of the organisation; a date alone is midnight
    day         DATE NOT NULL,
    activity    VARCHAR NOT NULL,     -- trimmed, lower case
    events      BIGINT NOT NULL,
    upload_id   INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id, event_at, activity)
);

-- The summary every chart reads: one row per (organisation, person, day, activity).
CREATE TABLE usage_daily (
    org_id   INTEGER NOT NULL,
    user_id  VARCHAR NOT NULL,
    day      DATE NOT NULL,
    activity VARCHAR NOT NULL,
    events   BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id, day, activity)
);

CREATE TABLE tickets (
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
    satisfaction      VARCHAR,          -- good | bad | null (unrated)
    upload_id         INTEGER NOT NULL,
    PRIMARY KEY (org_id, source, ticket_id)
);

-- The version of a ticket as it was before an upload changed it (existed = false: the upload
-- created it). Undo puts it back; undo of a load that a later one overwrote splices the chain.
CREATE TABLE ticket_history (
    replaced_by_upload INTEGER NOT NULL,
    existed            BOOLEAN NOT NULL,
    org_id            INTEGER NOT NULL,
    source            VARCHAR NOT NULL,
    ticket_id         VARCHAR NOT NULL,
    created_at        TIMESTAMP,
    requester         VARCHAR,
    subject           VARCHAR,
    status            VARCHAR,
    priority          VARCHAR,
    category          VARCHAR,
    company           VARCHAR,
    updated_at        TIMESTAMP,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    resolved_approx   BOOLEAN,
    reopened          INTEGER,
    satisfaction      VARCHAR,
    upload_id         INTEGER,
    PRIMARY KEY (replaced_by_upload, org_id, source, ticket_id)
);
