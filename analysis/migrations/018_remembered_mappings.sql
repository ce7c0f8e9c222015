-- A mapping made by hand is remembered by the file's set of column names (analysis/roster_import.py):
-- header_set is that set (JSON list of compared names), cohort_values maps a roster's cohort
-- values as written to the rollout's cohorts (JSON object).
ALTER TABLE mapping_presets ADD COLUMN header_set VARCHAR;
ALTER TABLE mapping_presets ADD COLUMN cohort_values VARCHAR;
