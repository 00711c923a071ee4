-- The door. Throttle windows say when they end, so that passed ones can be cleared;
-- accounts remember the addresses they logged in from, where failures elsewhere do not
-- hold them up; API tokens get an id to be listed and revoked by; an idempotency key
-- keeps a digest of what was sent with it, so that a different submission under the
-- same key is refused rather than answered with another's request.

ALTER TABLE throttle ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX throttle_by_expiry ON throttle (expires_at);

CREATE TABLE login_sources (
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    last_login BIGINT NOT NULL,
    PRIMARY KEY (login, address)
);
CREATE INDEX login_sources_by_time ON login_sources (last_login);

ALTER TABLE api_tokens ADD COLUMN id BIGSERIAL UNIQUE;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

ALTER TABLE idempotency ADD COLUMN digest TEXT NOT NULL DEFAULT '';
