-- The units that help with a request (协办), one row each: a unit finds the requests it
-- helps with from this key, instead of reading every request's list of co-units.
CREATE TABLE request_co_units (
    unit_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL,
    PRIMARY KEY (unit_id, request_id)
);
CREATE INDEX request_co_units_by_request ON request_co_units (request_id);
INSERT INTO request_co_units (unit_id, request_id)
    SELECT DISTINCT CAST(c.value AS INTEGER), r.id FROM requests r, json_each(r.co_unit_ids) c
    WHERE r.co_unit_ids <> '[]';

-- Verdicts of 未解决 or 不满意, by when they were given: the supervisors' list of
-- unsatisfied closures reads a period of them from here, not from every request.
CREATE INDEX requests_unsatisfied ON requests (evaluated_at, id) WHERE satisfaction = 'unsatisfied' OR solved = 0;
