-- The newest TOTP time-step (30-second period) each account has used. A code is accepted only for
-- a later step, so each code works once and an older code is refused after a newer one was used
-- (RFC 6238, section 5.2). Kept apart from accounts so the secret's columns stay as they are.
CREATE TABLE totp_used_steps (
    account_id INTEGER PRIMARY KEY,
    last_step  BIGINT NOT NULL
);
