-- Deliberation, continued: residents' numbers confirmed by a code, or by the
-- community's staff; meetings' photos; and the volunteers and party members (下沉党员)
-- who took part in a meeting.

-- A portal proposal whose number no code confirmed waits, unlisted, for the community's
-- staff to confirm it; who confirmed it and when is kept.
ALTER TABLE proposals ADD COLUMN confirmed_by INTEGER REFERENCES users(id);
ALTER TABLE proposals ADD COLUMN confirmed_at INTEGER;
CREATE INDEX proposals_unconfirmed ON proposals (unit_id, id) WHERE status = 'unconfirmed';

-- A code sent to a resident's phone, one row per browser (the digest of the token in
-- its cookie). The code is kept only as a digest; a confirmed row confirms the number
-- for that browser until it expires.
CREATE TABLE phone_codes (
    token_hash TEXT PRIMARY KEY,
    -- Personal information, as a proposer's number: it becomes the proposer's.
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- The code's end before confirmation, the confirmation's end after it.
    expires_at INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    confirmed_at INTEGER
);
CREATE INDEX phone_codes_by_expiry ON phone_codes (expires_at);

-- Staff who saw a waiting proposal's number in full, to call the proposer back.
CREATE TABLE proposal_phone_views (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    at INTEGER NOT NULL
);
CREATE INDEX proposal_phone_views_by_proposal ON proposal_phone_views (proposal_id, at);

-- A meeting's photos, kept as a request's are (only JPEG, PNG and WebP, by content).
CREATE TABLE meeting_photos (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX meeting_photos_by_meeting ON meeting_photos (meeting_id, sha256);

-- Volunteers and party members (users of role volunteer) who took part in a meeting,
-- with the meeting's unit path: 共建 counts them by subtree from this index.
CREATE TABLE meeting_volunteers (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    unit_path TEXT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_volunteers_by_path ON meeting_volunteers (unit_path, user_id);
CREATE INDEX inspection_point_volunteers_by_user ON inspection_point_volunteers (user_id, point_id);
