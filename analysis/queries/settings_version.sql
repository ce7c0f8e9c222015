-- A fingerprint of everything the organisation's figures depend on besides its data: its own
-- settings, its rollouts (activities, ticket filter, targets, window), their cohorts and go-live
-- dates, the annotations and the phases with their targets. Any change changes it (a cache key).
WITH parts AS (
    SELECT hash(o.time_zone, o.email_domains, o.list_names_to_clients) AS h
    FROM organisations AS o WHERE o.org_id = $org_id
    UNION ALL
    SELECT hash(r) FROM rollouts AS r WHERE r.org_id = $org_id
    UNION ALL
    SELECT hash(c) FROM cohorts AS c JOIN rollouts AS r USING (rollout_id) WHERE r.org_id = $org_id
    UNION ALL
    SELECT hash(a) FROM annotations AS a WHERE a.org_id = $org_id
    UNION ALL
    SELECT hash(p) FROM phases AS p WHERE p.org_id = $org_id
    UNION ALL
    SELECT hash(t) FROM phase_targets AS t WHERE t.org_id = $org_id
),
final AS (
    SELECT count(*) AS parts, coalesce(sum(h::HUGEINT), 0) AS fingerprint FROM parts
)
SELECT * FROM final
