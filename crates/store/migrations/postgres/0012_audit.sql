-- What the audit checks beyond the links of the chain.
--
-- `format` says how an event's hash is computed: 1 joined the fields with a 0x1f byte
-- (events written before this migration, and by any instance still running older code);
-- 2 prefixes every field with its length, so no text can move from one field into
-- another without changing the hash. `snapshot` holds, for format-2 events, the request's
-- columns as the action left them (JSON), which `audit verify` compares with the row.
ALTER TABLE events ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN snapshot TEXT NOT NULL DEFAULT '';

-- The chain head at the moment a bulletin was published: printed on the bulletin, so a
-- copy outside the database says how long the chain was and how it ended.
CREATE TABLE bulletin_anchors (
    bulletin_id BIGINT PRIMARY KEY REFERENCES bulletins(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
