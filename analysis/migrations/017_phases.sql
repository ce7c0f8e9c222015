-- A rollout's dated plan of phases (docs/metrics.md#phases): each with its objective and its own
-- targets for chosen KPIs. kind 'plan' for the plan (plan, champion pilot, wider rollout,
-- hypercare) and 'recovery' after a failed landing (stabilise, re-design, re-enable, monitor).
CREATE SEQUENCE phase_id_seq START 1;

CREATE TABLE phases (
    phase_id    INTEGER PRIMARY KEY DEFAULT nextval('phase_id_seq'),
    org_id      INTEGER NOT NULL,
    rollout_id  INTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,             -- plan | recovery
    starts      DATE NOT NULL,
    ends        DATE NOT NULL,
    objective   VARCHAR,
    set_by      VARCHAR NOT NULL,
    set_at      TIMESTAMP NOT NULL,
    CHECK (starts <= ends)
);

CREATE TABLE phase_targets (
    phase_id  INTEGER NOT NULL,
    org_id    INTEGER NOT NULL,
    kpi       VARCHAR NOT NULL,
    target    DOUBLE NOT NULL,
    PRIMARY KEY (phase_id, kpi)
);
