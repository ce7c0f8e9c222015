-- The other columns of the rollout's current roster (migration 024) a breakdown can use: per column,
-- the licensed people with a value and how many values they have. analysis/breakdowns.py keeps the
-- columns that group people (2 to 50 values, some value shared by two people or more).
SELECT a.name,
       count(*) AS people,
       count(DISTINCT a.value) AS groups,
       max(shared.n) AS largest_group
FROM roster_attributes AS a
JOIN licensed_people($org_id, $rollout_id) AS p USING (user_id)
JOIN (
    SELECT name, value, count(*) AS n FROM roster_attributes
    WHERE org_id = $org_id AND rollout_id = $rollout_id
      AND upload_id = (SELECT max(upload_id) FROM current_roster($org_id, $rollout_id))
    GROUP BY name, value
) AS shared ON shared.name = a.name AND shared.value = a.value
WHERE a.org_id = $org_id AND a.rollout_id = $rollout_id
  AND a.upload_id = (SELECT max(upload_id) FROM current_roster($org_id, $rollout_id))
GROUP BY a.name
ORDER BY min(a.name)
