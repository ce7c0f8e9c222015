-- Roster history (docs/metrics.md#roster-history): a roster load is dated, the day from which it
-- says who is licensed, so a figure for a past day counts the people licensed that day. A load
-- made before this migration is dated the day it was loaded, as a new load is by default.
ALTER TABLE uploads ADD COLUMN roster_as_of DATE;
UPDATE uploads SET roster_as_of = CAST(loaded_at AS DATE) WHERE kind = 'roster';
