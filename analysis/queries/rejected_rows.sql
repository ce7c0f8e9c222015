-- The rejected rows of one load of the organisation, in file order.
WITH final AS (
    SELECT x.line, x.column_name AS "column", x.reason, x.raw AS "row"
    FROM rejected_rows AS x
    JOIN uploads AS u ON u.upload_id = x.upload_id
    WHERE u.org_id = $org_id AND x.upload_id = $upload_id
)
SELECT * FROM final ORDER BY line
