-- The rollout's current pulse-survey answers (docs/metrics.md#feedback), each with its group: the
-- cohort and department the file gave (an anonymous answer's), else the person's on the current roster.
WITH people AS (
    SELECT user_id, cohort, department FROM current_roster($org_id, $rollout_id)
),
final AS (
    SELECT f.day, f.question, f.score, f.comment, f.user_id,
           coalesce(f.cohort, p.cohort) AS cohort,
           coalesce(f.department, p.department) AS department
    FROM current_feedback($org_id, $rollout_id) AS f
    LEFT JOIN people AS p ON p.user_id = f.user_id
)
SELECT * FROM final ORDER BY day, question, user_id NULLS LAST
