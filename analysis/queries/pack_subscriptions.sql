-- The organisation's report pack subscriptions (analysis/notify/packs.py), with the rollout and
-- the recipient's e-mail.
SELECT s.subscription_id, r.name AS rollout, a.email AS recipient, s.cadence, s.created_by, s.created_at,
       s.last_sent_on
FROM pack_subscriptions AS s
JOIN rollouts AS r ON r.rollout_id = s.rollout_id AND r.org_id = s.org_id
JOIN accounts AS a ON a.account_id = s.account_id
WHERE s.org_id = $org_id
ORDER BY r.name, a.email
