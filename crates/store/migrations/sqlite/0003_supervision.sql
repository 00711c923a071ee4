-- Supervision (回头看) on SQLite: samples drawn for callbacks and their items, the calls
-- made, rework and press orders, review flags and reminder talks. What a supervisor does
-- to a request is also an event in the request's hash chain; these tables hold the
-- working state that the pages list. Days are local day numbers, as in unit_day_stats.

CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    scope_unit_id INTEGER NOT NULL REFERENCES units(id),
    scope_path TEXT NOT NULL,
    period_from INTEGER NOT NULL,
    period_to INTEGER NOT NULL,
    rate_percent INTEGER NOT NULL,
    minimum INTEGER NOT NULL,
    -- With the period, scope and rule, the seed reproduces the draw.
    seed INTEGER NOT NULL,
    -- How many finished requests the draw chose from.
    population INTEGER NOT NULL,
    drawn_by INTEGER NOT NULL REFERENCES users(id),
    drawn_at INTEGER NOT NULL
);
CREATE INDEX samples_by_scope ON samples (scope_path, drawn_at);

-- One drawn request and its callback. `unit_*` is the unit that handled it, the one
-- judged; `place_path` is where the problem is, for scope.
CREATE TABLE sample_items (
    id INTEGER PRIMARY KEY,
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    request_id INTEGER NOT NULL REFERENCES requests(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    place_path TEXT NOT NULL,
    drawn_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_attempt_at INTEGER,
    from_public INTEGER,
    measures_known INTEGER,
    result_fed_back INTEGER,
    satisfied INTEGER,
    UNIQUE (sample_id, request_id)
);
CREATE INDEX sample_items_by_sample ON sample_items (sample_id, id);
CREATE INDEX sample_items_by_state ON sample_items (state, unit_path, place_path);
CREATE INDEX sample_items_by_drawn ON sample_items (drawn_at, unit_path);

CREATE TABLE callback_attempts (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES sample_items(id),
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at INTEGER NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    reached INTEGER NOT NULL,
    from_public INTEGER,
    measures_known INTEGER,
    result_fed_back INTEGER,
    satisfied INTEGER,
    note TEXT NOT NULL,
    event_id INTEGER NOT NULL
);
CREATE INDEX callback_attempts_by_item ON callback_attempts (item_id, id);

CREATE TABLE supervision_orders (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    holder_unit_id INTEGER NOT NULL REFERENCES units(id),
    reason TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    level INTEGER NOT NULL,
    answer TEXT,
    answered_at INTEGER,
    answered_by INTEGER REFERENCES users(id),
    close_note TEXT,
    closed_at INTEGER,
    closed_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    -- The callback that found the problem, when one did.
    callback_item_id INTEGER REFERENCES sample_items(id)
);
CREATE INDEX supervision_orders_by_status ON supervision_orders (status, due_at);
CREATE INDEX supervision_orders_by_unit ON supervision_orders (unit_path, status, due_at);
CREATE INDEX supervision_orders_by_request ON supervision_orders (request_id);

-- Finished entries that break a review rule, as of their last review.
CREATE TABLE review_flags (
    request_id INTEGER PRIMARY KEY REFERENCES requests(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    place_path TEXT NOT NULL,
    handler_id INTEGER,
    rules TEXT NOT NULL,
    first_resolved_at INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
);
CREATE INDEX review_flags_by_unit ON review_flags (unit_path, first_resolved_at);

CREATE TABLE reminder_talks (
    id INTEGER PRIMARY KEY,
    cadre_id INTEGER NOT NULL REFERENCES users(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    held_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX reminder_talks_by_unit ON reminder_talks (unit_path, held_at);
CREATE INDEX reminder_talks_by_cadre ON reminder_talks (cadre_id, held_at);

CREATE TABLE reminder_talk_requests (
    talk_id INTEGER NOT NULL REFERENCES reminder_talks(id),
    request_id INTEGER NOT NULL REFERENCES requests(id),
    PRIMARY KEY (talk_id, request_id)
);

-- The candidates of a draw: requests first resolved in a period.
CREATE INDEX requests_by_first_resolved ON requests (first_resolved_at);
