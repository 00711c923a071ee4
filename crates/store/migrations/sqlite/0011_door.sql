-- The door. Throttle windows say when they end, so that passed ones can be cleared;
-- accounts remember the addresses they logged in from, where failures elsewhere do not
-- hold them up; API tokens get an id to be listed and revoked by; an idempotency key
-- keeps a digest of what was sent with it, so that a different submission under the
-- same key is refused rather than answered with another's request.

ALTER TABLE throttle ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX throttle_by_expiry ON throttle (expires_at);

CREATE TABLE login_sources (
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    last_login INTEGER NOT NULL,
    PRIMARY KEY (login, address)
);
CREATE INDEX login_sources_by_time ON login_sources (last_login);

CREATE TABLE api_tokens_with_id (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO api_tokens_with_id (token_hash, user_id, name, created_at)
    SELECT token_hash, user_id, name, created_at FROM api_tokens ORDER BY created_at;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_with_id RENAME TO api_tokens;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

ALTER TABLE idempotency ADD COLUMN digest TEXT NOT NULL DEFAULT '';
