-- Settings and annotations (issue 3). The rollout and organisation settings the metrics use
-- already have their columns (001: activities, legacy activities, ticket filter, targets, window;
-- organisations: time zone, email domains, list_names_to_clients); this adds the dated events
-- drawn on every time chart.

CREATE SEQUENCE annotation_id_seq START 1;

-- A dated event of a rollout: a go-live, a training session, a communication, a remediation, or
-- another event, with a short note. Drawn on every time chart of the rollout.
CREATE TABLE annotations (
    annotation_id INTEGER PRIMARY KEY DEFAULT nextval('annotation_id_seq'),
    org_id        INTEGER NOT NULL,
    rollout_id    INTEGER NOT NULL,
    day           DATE NOT NULL,
    kind          VARCHAR NOT NULL,      -- go-live | training | communication | remediation | other
    note          VARCHAR NOT NULL,
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
