-- Retention (analysis/retention.py, docs/operations.md#retention): an organisation may keep its raw
-- usage events for a number of months only; the daily summaries the figures read (usage_daily,
-- rollout_days) stay, so no figure changes.
ALTER TABLE organisations ADD COLUMN keep_events_months INTEGER;   -- null: keep every event
ALTER TABLE organisations ADD COLUMN events_kept_from DATE;        -- raw events before it were removed
-- a usage load some of whose raw events were removed: it can no longer be undone (its share of the
-- daily summaries cannot be told apart without them)
ALTER TABLE uploads ADD COLUMN events_removed_at TIMESTAMP;
