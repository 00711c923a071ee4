-- Notifications on SQLite. Each is written in the transaction of the change that causes
-- it (a transactional outbox): a change rolled back leaves none, a process that dies
-- loses none. The delivery worker claims due rows for a lease, sends them and marks
-- them sent; after the last try a row is a dead letter until an admin sends it again.

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- The idempotency key every receiver is given; a cause writes a notification once.
    key TEXT NOT NULL UNIQUE,
    medium TEXT NOT NULL,
    -- The topic told to a person, or the event type sent to a webhook.
    topic TEXT NOT NULL,
    request_id INTEGER,
    -- A phone number, a mail address, or a webhook subscription's id.
    recipient TEXT NOT NULL,
    -- A resident's phone: quiet hours hold it back.
    to_resident INTEGER NOT NULL,
    -- What the text is made from, or the webhook's event, as JSON.
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    claimed_by TEXT,
    last_error TEXT,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE status = 'pending';
CREATE INDEX outbox_by_status ON outbox (status, id);

-- What staff see in their workbench, one row a person; written beside the outbox.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    topic TEXT NOT NULL,
    request_id INTEGER,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX inbox_by_user ON inbox (user_id, id);
CREATE INDEX inbox_unread ON inbox (user_id) WHERE read_at IS NULL;

-- Other systems told of events, each with its own signing secret.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- How far the deadline timer has looked: the next look starts there, so each deadline
-- crossed is found once however many instances look.
CREATE TABLE notify_sweep (
    id INTEGER PRIMARY KEY,
    swept_to INTEGER NOT NULL
);
INSERT INTO notify_sweep (id, swept_to) VALUES (1, 0);
