-- Scheduled checks, notifications and scheduled report packs (issue 15; analysis/notify/).
-- Per-account choices, webhooks, the outbox every notification goes through, pack subscriptions,
-- and when each scheduled job last ran.

CREATE SEQUENCE webhook_id_seq START 1;
CREATE SEQUENCE notification_id_seq START 1;
CREATE SEQUENCE pack_subscription_id_seq START 1;

-- What an account chooses to receive (no row: nothing), and whether by e-mail.
CREATE TABLE notification_prefs (
    account_id      INTEGER PRIMARY KEY,
    new_high        BOOLEAN NOT NULL DEFAULT false,   -- a high red flag fires
    escalations     BOOLEAN NOT NULL DEFAULT false,   -- medium -> high
    resolutions     BOOLEAN NOT NULL DEFAULT false,   -- a red flag no longer holds
    weekly_digest   BOOLEAN NOT NULL DEFAULT false,   -- one's organisations' open flags, weekly
    overdue_actions BOOLEAN NOT NULL DEFAULT false,   -- actions past their due date, daily
    by_email        BOOLEAN NOT NULL DEFAULT true,
    updated_at      TIMESTAMP NOT NULL
);

-- An account's webhooks: kind teams | slack | signed. The URL and the signing secret are stored
-- encrypted (analysis/secretbox.py): a copy of the database alone cannot post to them.
CREATE TABLE webhooks (
    webhook_id INTEGER PRIMARY KEY DEFAULT nextval('webhook_id_seq'),
    account_id INTEGER NOT NULL,
    kind       VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,                      -- encrypted
    secret     VARCHAR,                               -- encrypted; signed webhooks only
    label      VARCHAR NOT NULL,                      -- the URL's host, to list it
    created_at TIMESTAMP NOT NULL
);

-- Every notification, queued when it is made and delivered by the app's background task; a failed
-- delivery is tried again after 1, 2, 4 ... minutes (next_try_at) until MAX_ATTEMPTS, then given up.
CREATE TABLE outbox (
    notification_id INTEGER PRIMARY KEY DEFAULT nextval('notification_id_seq'),
    org_id          INTEGER,                          -- null: a digest of several organisations
    account_id      INTEGER NOT NULL,
    channel         VARCHAR NOT NULL,                 -- email | webhook
    webhook_id      INTEGER,
    topic           VARCHAR NOT NULL,                 -- new_high | escalation | resolution | digest | overdue | pack
    subject         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,                 -- plain text
    facts           VARCHAR NOT NULL,                 -- JSON: what the webhook payloads carry
    attachment_name VARCHAR,
    attachment      BLOB,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try_at     TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    given_up_at     TIMESTAMP,
    last_error      VARCHAR
);

-- A client leader (account) subscribed to a rollout's report pack by an account manager.
CREATE TABLE pack_subscriptions (
    subscription_id INTEGER PRIMARY KEY DEFAULT nextval('pack_subscription_id_seq'),
    org_id          INTEGER NOT NULL,
    rollout_id      INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,
    cadence         VARCHAR NOT NULL,                 -- monthly | quarterly
    created_by      VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_sent_on    DATE,
    UNIQUE (rollout_id, account_id)
);

-- When each scheduled job last ran (daily evaluation, weekly digest ...), and for `events_queued`
-- the last alert event turned into notifications (mark: an event id).
CREATE TABLE scheduled_runs (
    job    VARCHAR PRIMARY KEY,
    ran_at TIMESTAMP,
    mark   BIGINT
);
-- The history before this migration is not news: start after it.
INSERT INTO scheduled_runs (job, ran_at, mark) SELECT 'events_queued', NULL, coalesce(max(event_id), 0) FROM alert_events;
