-- The organisation's own settings: time zone, email domains, whether client views may list
-- people by name.
WITH final AS (
    SELECT org_id, name, time_zone, email_domains, list_names_to_clients
    FROM organisations
    WHERE org_id = $org_id
)
SELECT * FROM final
