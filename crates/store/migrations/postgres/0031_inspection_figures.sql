-- The inspection figures sum each point's finished rounds over a period: this index
-- holds all they read, so that a point's rounds of the period are found without walking
-- its year of rounds (SQLite otherwise builds a temporary index of every round for each
-- page). The newest rounds of all points are listed from the other.
CREATE INDEX inspection_rounds_scored ON inspection_rounds (point_id, status, finished_at, earned, possible);
CREATE INDEX inspection_rounds_latest ON inspection_rounds (started_at);

-- A period's worst items count its failed findings, a small share of all: a month of
-- rounds holds some 40 findings each, two of them failed.
CREATE INDEX inspection_findings_failed ON inspection_findings (round_id, item_id) WHERE mark = 'fail';
