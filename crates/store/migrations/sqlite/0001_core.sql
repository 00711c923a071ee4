-- The core of Gongzhi on SQLite: units, people, categories, requests, the event chain
-- and the daily aggregates behind the measures. Timestamps are UTC milliseconds; days
-- are local (UTC+8) days since 1970-01-01.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories(id),
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    default_unit_id INTEGER REFERENCES units(id),
    resolve_days INTEGER
);
CREATE UNIQUE INDEX categories_by_parent_name ON categories (COALESCE(parent_id, 0), name);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    tracking_code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    address TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    category_id INTEGER REFERENCES categories(id),
    urgent INTEGER NOT NULL,
    requester_type TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_phone TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    assignee_unit_id INTEGER REFERENCES units(id),
    assignee_path TEXT,
    co_unit_ids TEXT NOT NULL,
    handler_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    dispatched_at INTEGER,
    claimed_at INTEGER,
    resolved_at INTEGER,
    first_resolved_at INTEGER,
    closed_at INTEGER,
    respond_by INTEGER,
    resolve_by INTEGER,
    deadline_estimated INTEGER NOT NULL,
    pending_extension INTEGER,
    reply TEXT,
    contacted INTEGER,
    solved INTEGER,
    satisfaction TEXT,
    evaluated_at INTEGER,
    return_count INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    press_count INTEGER NOT NULL,
    merged_into INTEGER
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
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
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
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The last link of the chain; writers lock this row, which orders all writes.
CREATE TABLE chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    request_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE unit_day_stats (
    unit_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    intake INTEGER NOT NULL DEFAULT 0,
    merged INTEGER NOT NULL DEFAULT 0,
    dispatched INTEGER NOT NULL DEFAULT 0,
    dispatched_resolved INTEGER NOT NULL DEFAULT 0,
    dispatched_returned INTEGER NOT NULL DEFAULT 0,
    respond_due INTEGER NOT NULL DEFAULT 0,
    responded_on_time INTEGER NOT NULL DEFAULT 0,
    resolve_due INTEGER NOT NULL DEFAULT 0,
    resolved_on_time INTEGER NOT NULL DEFAULT 0,
    resolved_late INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    resolved_reopened INTEGER NOT NULL DEFAULT 0,
    evaluations INTEGER NOT NULL DEFAULT 0,
    evaluations_solved INTEGER NOT NULL DEFAULT 0,
    evaluations_satisfied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day)
);

-- Who saw a requester's real phone number, and when.
CREATE TABLE pii_access (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL
);

-- Failed attempts per key (an address guessing tracking codes, an account's logins).
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
