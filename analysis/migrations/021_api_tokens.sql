-- Per-account API tokens for scripts (analysis/api/tokens.py): random, shown once, only their
-- SHA-256 kept. A token acts as its account (role and organisations, read at every request), so a
-- disabled account's tokens stop working with it.
CREATE SEQUENCE api_token_id_seq START 1;

CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY DEFAULT nextval('api_token_id_seq'),
    token_hash   VARCHAR NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL,
    name         VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
