-- Sign-in throttling per client address as well as per account (issue 10). Each attempt keeps the
-- address it came from, and an id: the throttle reserves an attempt as a failure in the same
-- transaction as its check, and the id lets the result (after the password hash) turn it into a
-- success or drop it (analysis/throttle.py).
CREATE SEQUENCE sign_in_attempt_seq START 1;
ALTER TABLE sign_in_attempts ADD COLUMN address VARCHAR;
ALTER TABLE sign_in_attempts ADD COLUMN attempt_id BIGINT DEFAULT nextval('sign_in_attempt_seq');
