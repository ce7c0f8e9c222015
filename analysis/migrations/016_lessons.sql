-- A rollout's post-mortem (docs/metrics.md#post-mortem-and-lessons): five headings the provider
-- writes and the client reads; the Portfolio searches them across clients. One row per rollout,
-- replaced on each save; every save is kept in lesson_edits (who, when).
CREATE TABLE lessons (
    org_id        INTEGER NOT NULL,
    rollout_id    INTEGER PRIMARY KEY,
    went_wrong    VARCHAR,
    why           VARCHAR,
    what_we_did   VARCHAR,
    learned       VARCHAR,
    recommend     VARCHAR,
    updated_by    VARCHAR NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE lesson_edits (
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    edited_by   VARCHAR NOT NULL,
    edited_at   TIMESTAMP NOT NULL
);
