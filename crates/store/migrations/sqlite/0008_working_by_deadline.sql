-- Overdue and due-soon work, in deadline order: only requests in hand. Without it,
-- PostgreSQL walks the deadline index of every request ever finished to find the few
-- open ones past their deadline.
CREATE INDEX requests_working_by_deadline ON requests (resolve_by, id)
    WHERE status IN ('dispatched', 'in_progress');
