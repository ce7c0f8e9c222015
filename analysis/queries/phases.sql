-- The rollout's phases ($rollout_id), in date order, with their targets as a list of structs.
SELECT p.phase_id, p.name, p.kind, p.starts, p.ends, p.objective, p.set_by, p.set_at,
       coalesce(list({'kpi': t.kpi, 'target': t.target} ORDER BY t.kpi) FILTER (t.kpi IS NOT NULL), []) AS targets
FROM phases AS p
LEFT JOIN phase_targets AS t ON t.phase_id = p.phase_id AND t.org_id = p.org_id
WHERE p.org_id = $org_id AND p.rollout_id = $rollout_id
GROUP BY ALL
ORDER BY p.starts, p.phase_id
