-- Open311 client systems, each with its key (a SHA-256 digest; the key is shown once),
-- and which client sent each request that came by Open311, with the token it was
-- given and what it sent that requests have no column for.
CREATE TABLE open311_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE open311_requests (
    request_id INTEGER PRIMARY KEY REFERENCES requests(id),
    client_id INTEGER NOT NULL REFERENCES open311_clients(id),
    token TEXT NOT NULL UNIQUE,
    media_url TEXT NOT NULL,
    email TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
-- GeoReport's queries of requests: a span of time, newest first.
CREATE INDEX open311_requests_by_time ON open311_requests (sent_at, request_id);
CREATE INDEX open311_requests_by_client ON open311_requests (client_id, sent_at);
