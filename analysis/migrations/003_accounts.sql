-- Local accounts, their organisations, sign-in sessions and attempts, and app-wide secrets.
-- Nothing about an account lives anywhere but here.

CREATE SEQUENCE account_id_seq START 1;

CREATE TABLE accounts (
    account_id    INTEGER PRIMARY KEY DEFAULT nextval('account_id_seq'),
    email         VARCHAR NOT NULL UNIQUE,          -- trimmed, lower case
    role          VARCHAR NOT NULL,
    pw_hash       VARCHAR,                          -- argon2id; null for single-sign-on only
    must_change_password BOOLEAN NOT NULL DEFAULT false,
    totp_secret   VARCHAR,
    totp_enabled  BOOLEAN NOT NULL DEFAULT false,
    disabled_at   TIMESTAMP,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by    VARCHAR NOT NULL
);

CREATE TABLE account_orgs (
    account_id INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    PRIMARY KEY (account_id, org_id)
);

-- A browser's sign-in: tokens are random, only their SHA-256 is stored. The tokens of one
-- sign-in share a family (the tab's token and the cookie's), revoked together.
CREATE TABLE sessions (
    token_hash   VARCHAR PRIMARY KEY,
    family       VARCHAR NOT NULL,
    account_id   INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,               -- absolute limit of the sign-in
    revoked_at   TIMESTAMP
);

-- The last activity of each sign-in (idle timeout), kept apart so reads touch one small row.
CREATE TABLE session_activity (
    family       VARCHAR PRIMARY KEY,
    last_seen_at TIMESTAMP NOT NULL
);

-- One-time codes that let the app's cookie route set the HttpOnly cookie for a sign-in.
CREATE TABLE claim_codes (
    code_hash  VARCHAR PRIMARY KEY,
    family     VARCHAR NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE sign_in_attempts (
    email     VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL
);

CREATE TABLE app_settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
