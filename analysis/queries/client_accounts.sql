-- The organisation's active client accounts (client_viewer, client_uploader): who a report pack can
-- be sent to (analysis/notify/packs.py).
SELECT a.account_id, a.email
FROM accounts AS a
JOIN account_orgs AS o ON o.account_id = a.account_id
WHERE o.org_id = $org_id AND a.disabled_at IS NULL AND a.role IN ('client_viewer', 'client_uploader')
ORDER BY a.email
