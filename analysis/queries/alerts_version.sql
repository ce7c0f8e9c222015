-- A fingerprint of the organisation's alerting state besides its data: alert states and their
-- history, thresholds, KPI targets, locked and selected baselines. Any change changes it (a
-- cache key for the Red flags page, next to the data and settings versions).
WITH parts AS (
    SELECT hash(a) AS h FROM alerts AS a WHERE a.org_id = $org_id
    UNION ALL SELECT hash(e) FROM alert_events AS e WHERE e.org_id = $org_id
    UNION ALL SELECT hash(s) FROM alert_settings AS s WHERE s.org_id = $org_id
    UNION ALL SELECT hash(t) FROM kpi_targets AS t WHERE t.org_id = $org_id
    UNION ALL SELECT hash(b.baseline_id, b.name) FROM baselines AS b WHERE b.org_id = $org_id
    UNION ALL SELECT hash(c) FROM baseline_selection AS c WHERE c.org_id = $org_id
),
final AS (
    SELECT count(*) AS parts, coalesce(sum(h::HUGEINT), 0) AS fingerprint FROM parts
)
SELECT * FROM final
