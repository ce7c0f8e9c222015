-- The key of a rollout's cached red-flag verdicts (analysis/alerts/verdict_cache.py), in one
-- read: the data version (as analysis/uploads.py data_version: every load and undo changes it)
-- and a fingerprint of every other input the rules read: the organisation's settings, its
-- rollouts and cohorts (window, targets, activities, go-lives), the rule thresholds, the KPI
-- targets, the locked and selected baselines, and the people marked out of scope. A fingerprint
-- of contents: changing a setting back gives back the same key, rightly (the same inputs).
WITH loads AS (
    SELECT count(*) AS n, max(upload_id) AS newest, max(undone_at) AS undone
    FROM uploads WHERE org_id = $org_id
),
parts AS (
    SELECT hash(o.time_zone, o.email_domains, o.list_names_to_clients) AS h
    FROM organisations AS o WHERE o.org_id = $org_id
    UNION ALL SELECT hash(r) FROM rollouts AS r WHERE r.org_id = $org_id
    UNION ALL SELECT hash(c) FROM cohorts AS c JOIN rollouts AS r USING (rollout_id) WHERE r.org_id = $org_id
    UNION ALL SELECT hash(s) FROM alert_settings AS s WHERE s.org_id = $org_id
    UNION ALL SELECT hash(t) FROM kpi_targets AS t WHERE t.org_id = $org_id
    UNION ALL SELECT hash(b) FROM baselines AS b WHERE b.org_id = $org_id
    UNION ALL SELECT hash(c) FROM baseline_selection AS c WHERE c.org_id = $org_id
    UNION ALL SELECT hash(p) FROM out_of_scope_people AS p WHERE p.org_id = $org_id
),
final AS (
    SELECT
        concat_ws('/', l.n, l.newest, l.undone) AS data_version,
        concat_ws('/', (SELECT count(*) FROM parts), (SELECT coalesce(sum(h::HUGEINT), 0) FROM parts)) AS inputs
    FROM loads AS l
)
SELECT * FROM final
