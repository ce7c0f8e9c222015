-- Root causes and actions on a red flag (docs/metrics.md#root-causes-and-actions): what a provider
-- worked out about why a flag holds (a 5 Whys chain, the fishbone categories, the root cause in a
-- sentence) and what is being done (actions with an owner, a due date, a status and an outcome).
-- Either is attached to one alert episode (alert_id) or to a rule of a rollout in every place
-- (alert_id null). Every change is kept in action_events (who, when, what, why).

CREATE SEQUENCE action_id_seq START 1;
CREATE SEQUENCE action_event_id_seq START 1;

CREATE TABLE root_causes (
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    rule        VARCHAR NOT NULL,
    alert_id    INTEGER,                      -- null: the rule in every place
    whys        VARCHAR[] NOT NULL DEFAULT [], -- the 5 Whys, first why first
    categories  VARCHAR[] NOT NULL DEFAULT [], -- people | process | technology | environment | data
    summary     VARCHAR,                      -- the root cause in a sentence
    updated_by  VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE flag_actions (
    action_id   INTEGER PRIMARY KEY DEFAULT nextval('action_id_seq'),
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    rule        VARCHAR NOT NULL,
    alert_id    INTEGER,                      -- null: the rule in every place
    title       VARCHAR NOT NULL,
    owner       VARCHAR NOT NULL,
    due         DATE NOT NULL,
    status      VARCHAR NOT NULL DEFAULT 'open', -- open | in progress | done | dropped
    outcome     VARCHAR,
    created_by  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE action_events (
    event_id    INTEGER PRIMARY KEY DEFAULT nextval('action_event_id_seq'),
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    rule        VARCHAR NOT NULL,
    action_id   INTEGER,                      -- null: a change of the root cause
    event_at    TIMESTAMP NOT NULL,
    by_name     VARCHAR NOT NULL,
    event       VARCHAR NOT NULL,             -- root cause | added | open | in progress | done | dropped
    note        VARCHAR
);
