-- Tasks assigned from above (责任清单, 年度重点任务): lists issued by a unit, their tasks
-- with an owner unit and a responsible person, each task's milestones with deadlines,
-- and every report and review of a milestone with its attachments.

CREATE TABLE task_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- The issuing unit, and its path: whose staff see the whole list.
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX task_lists_by_name ON task_lists (name);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES task_lists(id),
    -- The number the list gives it (序号), as written.
    number TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    owner_unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_path TEXT NOT NULL,
    responsible_id INTEGER REFERENCES users(id),
    evidence TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tasks_by_list ON tasks (list_id, position);
CREATE INDEX tasks_by_owner ON tasks (owner_path);
CREATE INDEX tasks_by_responsible ON tasks (responsible_id);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- The last instant of the local day it is due.
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    -- The task's, copied so that figures and sweeps over milestones need no join.
    owner_path TEXT NOT NULL,
    responsible_id INTEGER,
    -- The last report, who made it, and the review that closed it.
    reported_at INTEGER,
    reported_by INTEGER REFERENCES users(id),
    reviewed_at INTEGER,
    reviewed_by INTEGER REFERENCES users(id),
    sent_back INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX milestones_by_task ON milestones (task_id, position);
CREATE INDEX milestones_by_due ON milestones (due_at);
CREATE INDEX milestones_by_owner ON milestones (owner_path, due_at);
CREATE INDEX milestones_by_responsible ON milestones (responsible_id, due_at);

-- Each report, acceptance and sending back, kept: the history a reviewer and a
-- supervisor read.
CREATE TABLE milestone_steps (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones(id),
    action TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX milestone_steps_by_milestone ON milestone_steps (milestone_id, id);
CREATE INDEX milestone_steps_by_time ON milestone_steps (action, at);

CREATE TABLE milestone_files (
    id INTEGER PRIMARY KEY,
    step_id INTEGER NOT NULL REFERENCES milestone_steps(id),
    milestone_id INTEGER NOT NULL REFERENCES milestones(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX milestone_files_by_milestone ON milestone_files (milestone_id, step_id);

-- Where the milestone deadline timer last looked.
CREATE TABLE task_sweep (
    id INTEGER PRIMARY KEY,
    swept_to INTEGER NOT NULL
);
INSERT INTO task_sweep (id, swept_to) VALUES (1, 0);

-- A notification about a task links to it.
ALTER TABLE inbox ADD COLUMN task_id INTEGER;
