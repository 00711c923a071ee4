-- Deliberation (小板凳议事会): residents' proposals and wishes, their supports and
-- comments, and the community meetings that decide them. An adopted proposal becomes
-- a request through intake like any other; its agenda entry keeps the request's id.

CREATE TABLE proposals (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- The community it is for, and its path: the scope of the staff who decide it.
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    proposer_name TEXT NOT NULL,
    -- Personal information, like a requester's phone; it becomes the requester's phone
    -- of the request an adoption creates, so that the proposer can follow and judge it.
    proposer_phone TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Moved with every support in the same transaction, so lists never count rows.
    supports BIGINT NOT NULL DEFAULT 0,
    -- The staff member who copied it from paper.
    recorded_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
-- A community's page lists its newest or its most supported proposals.
CREATE INDEX proposals_latest ON proposals (unit_id, created_at DESC, id DESC);
CREATE INDEX proposals_supported ON proposals (unit_id, supports DESC, id DESC);

-- One support per phone and proposal. The number is kept only as a digest: a support
-- needs to be told apart from another, never to be called back.
CREATE TABLE proposal_supports (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    phone_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, phone_hash)
);

-- A hidden comment is kept with who hid it, when and why: moderation is audited, not
-- deleted.
CREATE TABLE proposal_comments (
    id BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    author_name TEXT NOT NULL,
    phone_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    hidden_by BIGINT REFERENCES users(id),
    hidden_at BIGINT,
    hidden_reason TEXT
);
CREATE INDEX proposal_comments_by_proposal ON proposal_comments (proposal_id, id);

CREATE TABLE meetings (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    topic TEXT NOT NULL,
    participants TEXT NOT NULL,
    minutes TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX meetings_by_unit ON meetings (unit_id, held_at DESC, id DESC);

-- A meeting's agenda and its decision on each entry, one row each: a proposal deferred
-- at one meeting has a row at the next one too.
CREATE TABLE meeting_agenda (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    position BIGINT NOT NULL,
    -- adopt, decline or defer; empty until decided.
    decision TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    -- What an adoption promised, and the request it became.
    unit_id BIGINT REFERENCES units(id),
    responsible_id BIGINT REFERENCES users(id),
    deadline BIGINT,
    request_id BIGINT REFERENCES requests(id),
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    PRIMARY KEY (meeting_id, proposal_id)
);
CREATE INDEX meeting_agenda_by_proposal ON meeting_agenda (proposal_id, meeting_id);
