-- The other columns of the rollout's current roster (migration 024): user_id, name, value.
SELECT user_id, name, value
FROM roster_attributes
WHERE org_id = $org_id AND rollout_id = $rollout_id
  AND upload_id = (SELECT max(upload_id) FROM current_roster($org_id, $rollout_id))
ORDER BY user_id, name
