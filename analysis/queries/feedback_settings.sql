-- Whether the organisation's client views may read the survey comments (analysis/feedback.py).
SELECT coalesce(max(comments_to_clients::INTEGER), 0)::BOOLEAN AS comments_to_clients
FROM feedback_settings WHERE org_id = $org_id
