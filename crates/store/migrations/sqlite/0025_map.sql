-- The map: open requests with coordinates, found by latitude within a viewport and
-- grouped into grid cells from the index alone (with the scope's paths, the deadline
-- that makes them overdue, and the map's filters). Open work is a small share of all
-- requests, and located work a share of that, so the index stays small.
CREATE INDEX requests_open_located ON requests (lat, long, unit_path, assignee_path, status, resolve_by, category_id, created_at)
    WHERE status IN ('submitted', 'pending_dispatch', 'dispatched', 'in_progress') AND lat IS NOT NULL;
