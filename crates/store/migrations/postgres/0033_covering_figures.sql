-- The dashboards and bulletins read a period's rows of large tables; at a million
-- requests, visiting each row after its index entry cost most of their time, as the rows
-- lie scattered over gigabytes. These indexes carry the columns those figures read, for
-- index-only scans where the visibility map allows them.

-- The 营商环境 section: enterprises' requests of the period with their states and times.
DROP INDEX requests_by_enterprise;
CREATE INDEX requests_by_enterprise ON requests (created_at, id)
    INCLUDE (unit_path, assignee_path, status, first_resolved_at, resolve_by, satisfaction)
    WHERE requester_type = 'enterprise';

-- The inspection section: the period's finished rounds by point.
DROP INDEX inspection_rounds_by_finish;
CREATE INDEX inspection_rounds_by_finish ON inspection_rounds (finished_at) INCLUDE (status, point_id);
