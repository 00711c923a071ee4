-- Inspections (创文迎检, 河湖巡查, 开学安全检查): points, their four-level chain,
-- versioned checklists, campaigns, rounds with findings and photos, and the
-- rectification requests failed items became.

-- Point kinds an admin adds beside the built-in ones.
CREATE TABLE inspection_kinds (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE inspection_points (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    -- The community, village or grid it lies in: its rectifications' place.
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    lat DOUBLE PRECISION,
    long DOUBLE PRECISION,
    -- The four-level chain (四级调度): point leader, department, community cadre; the
    -- volunteers are in inspection_point_volunteers.
    leader_id BIGINT REFERENCES users(id),
    department_id BIGINT REFERENCES units(id),
    cadre_id BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX inspection_points_by_name ON inspection_points (unit_id, name);
CREATE INDEX inspection_points_by_path ON inspection_points (unit_path);

CREATE TABLE inspection_point_volunteers (
    point_id BIGINT NOT NULL REFERENCES inspection_points(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (point_id, user_id)
);

-- A checklist is never changed once used: an edit is a new version.
CREATE TABLE checklists (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX checklists_by_name ON checklists (name, version);

CREATE TABLE checklist_items (
    id BIGSERIAL PRIMARY KEY,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    points BIGINT NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL
);
CREATE INDEX checklist_items_by_checklist ON checklist_items (checklist_id, position);

CREATE TABLE inspection_campaigns (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE inspection_campaign_points (
    campaign_id BIGINT NOT NULL REFERENCES inspection_campaigns(id),
    point_id BIGINT NOT NULL REFERENCES inspection_points(id),
    inspector_id BIGINT REFERENCES users(id),
    PRIMARY KEY (campaign_id, point_id)
);

CREATE TABLE inspection_rounds (
    id BIGSERIAL PRIMARY KEY,
    point_id BIGINT NOT NULL REFERENCES inspection_points(id),
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    campaign_id BIGINT REFERENCES inspection_campaigns(id),
    inspector_id BIGINT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    earned BIGINT NOT NULL DEFAULT 0,
    possible BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX inspection_rounds_by_point ON inspection_rounds (point_id, started_at);
CREATE INDEX inspection_rounds_by_finish ON inspection_rounds (finished_at);

CREATE TABLE inspection_findings (
    round_id BIGINT NOT NULL REFERENCES inspection_rounds(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    mark TEXT NOT NULL,
    note TEXT NOT NULL,
    marked_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, item_id)
);

CREATE TABLE inspection_photos (
    id BIGSERIAL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES inspection_rounds(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX inspection_photos_by_item ON inspection_photos (round_id, item_id, sha256);

-- Each request a failed item became, with where it came from.
CREATE TABLE rectifications (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id),
    point_id BIGINT NOT NULL REFERENCES inspection_points(id),
    round_id BIGINT NOT NULL REFERENCES inspection_rounds(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    campaign_id BIGINT REFERENCES inspection_campaigns(id),
    severity TEXT NOT NULL,
    -- The press order its escalation opened (重点整改督办).
    order_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX rectifications_by_point ON rectifications (point_id, item_id);
CREATE UNIQUE INDEX rectifications_by_finding ON rectifications (round_id, item_id);

-- Every failure of an item at a point (a round's finding, a failed reinspection): the
-- second within one campaign escalates.
CREATE TABLE inspection_failures (
    id BIGSERIAL PRIMARY KEY,
    point_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    campaign_id BIGINT,
    request_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX inspection_failures_by_item ON inspection_failures (point_id, item_id, campaign_id);
