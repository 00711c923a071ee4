-- A period's worst items count the failed items of the rounds that finished in it.
-- Reached through their rounds, each of a month's rounds cost an index probe for its
-- two failed findings. Kept here per item by when their round finished, with the point
-- and its unit's path (a point stays in its unit), an item's failures of a period in a
-- subtree are one range read, counted without sorting them or visiting the points.
-- Written when a round finishes, which is final.
CREATE TABLE round_failures (
    finished_at INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES inspection_rounds(id),
    item_id INTEGER NOT NULL REFERENCES checklist_items(id),
    point_id INTEGER NOT NULL REFERENCES inspection_points(id),
    unit_path TEXT NOT NULL,
    PRIMARY KEY (item_id, finished_at, round_id)
) WITHOUT ROWID;
INSERT INTO round_failures (finished_at, round_id, item_id, point_id, unit_path)
SELECT r.finished_at, f.round_id, f.item_id, r.point_id, p.unit_path
FROM inspection_findings f JOIN inspection_rounds r ON r.id = f.round_id
JOIN inspection_points p ON p.id = r.point_id
WHERE f.mark = 'fail' AND r.status = 'finished';

-- The failed findings were indexed for the worst items alone; those read the table above.
DROP INDEX inspection_findings_failed;
