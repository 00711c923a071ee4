-- The core of Gongzhi on PostgreSQL: units, people, categories, requests, the event chain
-- and the daily aggregates behind the measures. Timestamps are UTC milliseconds; days
-- are local (UTC+8) days since 1970-01-01.

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE categories (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES categories(id),
    level BIGINT NOT NULL,
    name TEXT NOT NULL,
    default_unit_id BIGINT REFERENCES units(id),
    resolve_days BIGINT
);
CREATE UNIQUE INDEX categories_by_parent_name ON categories (COALESCE(parent_id, 0), name);

CREATE TABLE requests (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    tracking_code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    address TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    category_id BIGINT REFERENCES categories(id),
    urgent BIGINT NOT NULL,
    requester_type TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_phone TEXT NOT NULL,
    anonymous BIGINT NOT NULL,
    assignee_unit_id BIGINT REFERENCES units(id),
    assignee_path TEXT,
    co_unit_ids TEXT NOT NULL,
    handler_id BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    dispatched_at BIGINT,
    claimed_at BIGINT,
    resolved_at BIGINT,
    first_resolved_at BIGINT,
    closed_at BIGINT,
    respond_by BIGINT,
    resolve_by BIGINT,
    deadline_estimated BIGINT NOT NULL,
    pending_extension BIGINT,
    reply TEXT,
    contacted BIGINT,
    solved BIGINT,
    satisfaction TEXT,
    evaluated_at BIGINT,
    return_count BIGINT NOT NULL,
    reopen_count BIGINT NOT NULL,
    press_count BIGINT NOT NULL,
    merged_into BIGINT
);
-- Lists newest first, whole or by state. The paths ride along so that scope is checked
-- in the index and only the rows of the page are read.
CREATE INDEX requests_by_created ON requests (created_at);
CREATE INDEX requests_by_status ON requests (status, created_at, unit_path, assignee_path);
-- A unit's queue, by deadline.
CREATE INDEX requests_by_assignee ON requests (assignee_unit_id, status, resolve_by);
-- Due soon and overdue across a scope.
CREATE INDEX requests_by_deadline ON requests (status, resolve_by, created_at, unit_path, assignee_path);
CREATE INDEX requests_by_handler ON requests (handler_id, status);

-- Append-only: every action, chained by hash in `id` order.
CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    request_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_by_request ON events (request_id, id);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- The last link of the chain; writers lock this row, which orders all writes.
CREATE TABLE chain_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    request_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE unit_day_stats (
    unit_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    intake BIGINT NOT NULL DEFAULT 0,
    merged BIGINT NOT NULL DEFAULT 0,
    dispatched BIGINT NOT NULL DEFAULT 0,
    dispatched_resolved BIGINT NOT NULL DEFAULT 0,
    dispatched_returned BIGINT NOT NULL DEFAULT 0,
    respond_due BIGINT NOT NULL DEFAULT 0,
    responded_on_time BIGINT NOT NULL DEFAULT 0,
    resolve_due BIGINT NOT NULL DEFAULT 0,
    resolved_on_time BIGINT NOT NULL DEFAULT 0,
    resolved_late BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    resolved_reopened BIGINT NOT NULL DEFAULT 0,
    evaluations BIGINT NOT NULL DEFAULT 0,
    evaluations_solved BIGINT NOT NULL DEFAULT 0,
    evaluations_satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
);

-- Who saw a requester's real phone number, and when.
CREATE TABLE pii_access (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    request_id BIGINT NOT NULL
);

-- Failed attempts per key (an address guessing tracking codes, an account's logins).
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
