-- Tasks assigned from above (责任清单, 年度重点任务): lists issued by a unit, their tasks
-- with an owner unit and a responsible person, each task's milestones with deadlines,
-- and every report and review of a milestone with its attachments.

CREATE TABLE task_lists (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    -- The issuing unit, and its path: whose staff see the whole list.
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX task_lists_by_name ON task_lists (name);

CREATE TABLE tasks (
    id BIGSERIAL PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES task_lists(id),
    -- The number the list gives it (序号), as written.
    number TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    owner_path TEXT NOT NULL,
    responsible_id BIGINT REFERENCES users(id),
    evidence TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tasks_by_list ON tasks (list_id, position);
CREATE INDEX tasks_by_owner ON tasks (owner_path);
CREATE INDEX tasks_by_responsible ON tasks (responsible_id);

CREATE TABLE milestones (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- The last instant of the local day it is due.
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- The task's, copied so that figures and sweeps over milestones need no join.
    owner_path TEXT NOT NULL,
    responsible_id BIGINT,
    -- The last report, who made it, and the review that closed it.
    reported_at BIGINT,
    reported_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    reviewed_by BIGINT REFERENCES users(id),
    sent_back BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX milestones_by_task ON milestones (task_id, position);
CREATE INDEX milestones_by_due ON milestones (due_at);
CREATE INDEX milestones_by_owner ON milestones (owner_path, due_at);
CREATE INDEX milestones_by_responsible ON milestones (responsible_id, due_at);

-- Each report, acceptance and sending back, kept: the history a reviewer and a
-- supervisor read.
CREATE TABLE milestone_steps (
    id BIGSERIAL PRIMARY KEY,
    milestone_id BIGINT NOT NULL REFERENCES milestones(id),
    action TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX milestone_steps_by_milestone ON milestone_steps (milestone_id, id);
CREATE INDEX milestone_steps_by_time ON milestone_steps (action, at);

CREATE TABLE milestone_files (
    id BIGSERIAL PRIMARY KEY,
    step_id BIGINT NOT NULL REFERENCES milestone_steps(id),
    milestone_id BIGINT NOT NULL REFERENCES milestones(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX milestone_files_by_milestone ON milestone_files (milestone_id, step_id);

-- Where the milestone deadline timer last looked.
CREATE TABLE task_sweep (
    id BIGINT PRIMARY KEY,
    swept_to BIGINT NOT NULL
);
INSERT INTO task_sweep (id, swept_to) VALUES (1, 0);

-- A notification about a task links to it.
ALTER TABLE inbox ADD COLUMN task_id BIGINT;
