-- How often intake's suggestion was right, counted like the measures: per handling unit
-- and intake day (the suggestion's cohort), kept current by every dispatch and return. A
-- leader's view then sums a month of its subtree's cells instead of joining every
-- suggestion of the month to its request.
CREATE TABLE suggestion_day_stats (
    unit_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    -- Requests with a suggested unit, now dispatched to this unit.
    dispatched BIGINT NOT NULL,
    -- Of those, dispatched to the suggested unit.
    unit_matched BIGINT NOT NULL,
    -- Of those, with a suggested category and a category of their own.
    categorised BIGINT NOT NULL,
    -- Of those, whose category lies under the suggested first-level category.
    category_matched BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);
INSERT INTO suggestion_day_stats (unit_id, day, dispatched, unit_matched, categorised, category_matched)
SELECT r.assignee_unit_id, (s.created_at + 28800000) / 86400000, COUNT(*),
    SUM(CASE WHEN s.unit_id = r.assignee_unit_id THEN 1 ELSE 0 END),
    SUM(CASE WHEN s.category_id IS NOT NULL AND c.id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN s.category_id = COALESCE(g.id, p.id, c.id) THEN 1 ELSE 0 END)
FROM suggestions s JOIN requests r ON r.id = s.request_id
LEFT JOIN categories c ON c.id = r.category_id
LEFT JOIN categories p ON p.id = c.parent_id
LEFT JOIN categories g ON g.id = p.parent_id
WHERE s.unit_id IS NOT NULL AND r.assignee_unit_id IS NOT NULL
GROUP BY r.assignee_unit_id, (s.created_at + 28800000) / 86400000;
