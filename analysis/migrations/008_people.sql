-- People found in usage or tickets but on no roster, that the provider marked as not in scope of
-- a rollout (a service account, a contractor): they leave the unknown-people list.
CREATE TABLE out_of_scope_people (
    org_id     INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    user_id    VARCHAR NOT NULL,
    marked_by  VARCHAR NOT NULL,
    marked_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (org_id, rollout_id, user_id)
);
