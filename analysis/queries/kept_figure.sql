-- One query's result kept for a rollout at one key with the same bound values (analysis/kept_figures.py).
WITH found AS (
    SELECT frame, computed_at
    FROM kept_figures
    WHERE org_id = $org_id
      AND rollout_id = $rollout_id
      AND data_version = $data_version
      AND inputs_version = $inputs_version
      AND query = $name
      AND params = $params
),
final AS (
    SELECT frame FROM found ORDER BY computed_at DESC LIMIT 1
)
SELECT * FROM final
