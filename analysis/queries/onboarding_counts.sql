-- What the organisation's data and settings hold so far, one count per onboarding step
-- (analysis/onboarding.py): rollouts; people on a rollout's current roster (the newest roster load
-- not undone, as the current_roster macro); people with usage; tickets. Each moves only with the
-- data or the settings version (the app caches it by them); the client accounts are counted apart.
WITH current_loads AS (
    SELECT rollout_id, max(upload_id) AS upload_id FROM uploads
    WHERE org_id = $org_id AND kind = 'roster' AND undone_at IS NULL AND rollout_id IS NOT NULL
    GROUP BY rollout_id
),
final AS (
    SELECT
        (SELECT count(*) FROM rollouts WHERE org_id = $org_id) AS rollout,
        (SELECT count(DISTINCT r.user_id) FROM roster AS r
         JOIN current_loads AS c ON c.upload_id = r.upload_id AND c.rollout_id = r.rollout_id
         WHERE r.org_id = $org_id) AS roster,
        (SELECT count(DISTINCT user_id) FROM usage_daily WHERE org_id = $org_id AND events > 0) AS usage,
        (SELECT count(*) FROM tickets WHERE org_id = $org_id) AS tickets
)
SELECT * FROM final
