-- The entry of kept_person_facts for one rollout at one key, day and window (analysis/person_facts.py);
-- null when none is kept.
WITH found AS (
    SELECT max(entry_id) AS entry_id
    FROM kept_person_facts
    WHERE org_id = $org_id
      AND rollout_id = $rollout_id
      AND data_version = $data_version
      AND inputs_version = $inputs_version
      AND as_of = $as_of
      AND window_days = $window_days
)
SELECT * FROM found
