-- Photos sent with a request or a progress note, and the record of what admins change.
-- Photos live in the database, not on a disk of one instance: every instance serves
-- them, and a backup of the database holds them.

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    -- The progress note or reply they came with; none for photos sent with the request.
    event_id INTEGER,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- The same photo sent twice (a repeated form) is kept once.
CREATE UNIQUE INDEX attachments_by_request ON attachments (request_id, sha256);

-- Units are deactivated, never deleted once requests name them.
ALTER TABLE units ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Who changed which setting, unit, user or category, when; `unit_path` is the part of
-- the tree the change concerns, so that an admin sees the changes of their own subtree.
CREATE TABLE admin_audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    unit_path TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX admin_audit_by_path ON admin_audit (unit_path, id);
