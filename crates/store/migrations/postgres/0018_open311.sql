-- Open311 client systems, each with its key (a SHA-256 digest; the key is shown once),
-- and which client sent each request that came by Open311, with the token it was
-- given and what it sent that requests have no column for.
CREATE TABLE open311_clients (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE open311_requests (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id),
    client_id BIGINT NOT NULL REFERENCES open311_clients(id),
    token TEXT NOT NULL UNIQUE,
    media_url TEXT NOT NULL,
    email TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
-- GeoReport's queries of requests: a span of time, newest first.
CREATE INDEX open311_requests_by_time ON open311_requests (sent_at, request_id);
CREATE INDEX open311_requests_by_client ON open311_requests (client_id, sent_at);
