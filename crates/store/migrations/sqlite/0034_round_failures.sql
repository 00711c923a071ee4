-- A period's worst items count the failed items of the rounds that finished in it.
-- Reached through their rounds, each of a month's rounds cost an index probe for its
-- two failed findings; kept here by when their round finished, with the point, a
-- period's failures are one range read. Written when a round finishes, which is final.
CREATE TABLE round_failures (
    finished_at INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES inspection_rounds(id),
    item_id INTEGER NOT NULL REFERENCES checklist_items(id),
    point_id INTEGER NOT NULL REFERENCES inspection_points(id),
    PRIMARY KEY (finished_at, round_id, item_id)
) WITHOUT ROWID;
INSERT INTO round_failures (finished_at, round_id, item_id, point_id)
SELECT r.finished_at, f.round_id, f.item_id, r.point_id
FROM inspection_findings f JOIN inspection_rounds r ON r.id = f.round_id
WHERE f.mark = 'fail' AND r.status = 'finished';

