-- Repeat calls (重复来电): another call about a request already taken is counted on that
-- request, not made into a new one. The count rides on the request and, like intake, in
-- the daily cells of the day and place the request came in. A constant default adds the
-- columns without rewriting the tables.
ALTER TABLE requests ADD COLUMN repeat_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE unit_day_stats ADD COLUMN repeat_calls BIGINT NOT NULL DEFAULT 0;

-- The intake desk finds a caller's earlier requests by phone while the caller waits,
-- newest first. Requests without a number (anonymous, imported) are left out of it.
CREATE INDEX requests_by_phone ON requests (requester_phone, created_at) WHERE requester_phone <> '';
