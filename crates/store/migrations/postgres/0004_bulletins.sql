-- Publishing on PostgreSQL: bulletins (通报), the intake of each category per scope and day
-- behind the dashboards' top and hot categories, and the indexes that let a figure list
-- the requests it counts and a cadre's three lists find their requests. Days are local
-- day numbers, as in unit_day_stats.

CREATE TABLE bulletins (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    period_from BIGINT NOT NULL,
    period_to BIGINT NOT NULL,
    -- The content as generated (JSON): the figures do not move once reviewed.
    content TEXT NOT NULL,
    remarks TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT
);
CREATE INDEX bulletins_by_scope ON bulletins (unit_path, created_at);
CREATE INDEX bulletins_by_status ON bulletins (status, published_at);

-- Requests created per local day and category (0 for none) in each unit's subtree: a
-- request counts at its place and at every unit above it, so a scope's categories are
-- one range of this table's key, never a scan of its units. A request's place and
-- category are set at intake and never change, so counting each new row once keeps this
-- exact; the trigger counts rows however they are written (intake, imports).
CREATE TABLE scope_day_categories (
    unit_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    intake BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, category_id)
);
INSERT INTO scope_day_categories (unit_id, day, category_id, intake)
SELECT a.id, g.day, g.category_id, SUM(g.n)
FROM (
    SELECT unit_path, (created_at + 28800000) / 86400000 AS day, COALESCE(category_id, 0) AS category_id,
        COUNT(*) AS n
    FROM requests GROUP BY unit_path, (created_at + 28800000) / 86400000, COALESCE(category_id, 0)
) g JOIN units a ON g.unit_path LIKE a.path || '%'
GROUP BY a.id, g.day, g.category_id;
CREATE FUNCTION requests_count_category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The units on the request's path ("/1/4/17/").
    INSERT INTO scope_day_categories (unit_id, day, category_id, intake)
    SELECT CAST(p AS BIGINT), (NEW.created_at + 28800000) / 86400000, COALESCE(NEW.category_id, 0), 1
    FROM unnest(string_to_array(trim(both '/' from NEW.unit_path), '/')) AS p
    ON CONFLICT (unit_id, day, category_id) DO UPDATE SET intake = scope_day_categories.intake + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER requests_count_category AFTER INSERT ON requests
FOR EACH ROW EXECUTE FUNCTION requests_count_category();

-- A period's cells of the daily aggregates, read by day: a dashboard asks for a month
-- of a year's cells several times over.
CREATE INDEX unit_day_stats_by_day ON unit_day_stats (day, unit_id);

-- The instants behind the handling counters, with the assigned unit's path for scope.
-- Partial: a request gets them only once dispatched, so intake does not pay for them.
CREATE INDEX requests_by_dispatched ON requests (dispatched_at, assignee_path) WHERE dispatched_at IS NOT NULL;
CREATE INDEX requests_by_respond_by ON requests (respond_by, assignee_path) WHERE respond_by IS NOT NULL;
CREATE INDEX requests_by_resolve_by ON requests (resolve_by, assignee_path) WHERE resolve_by IS NOT NULL;
CREATE INDEX requests_by_evaluated ON requests (evaluated_at) WHERE evaluated_at IS NOT NULL;
-- A cadre's claims and a unit's claims in a period: the three lists. With the state, the
-- summary line (领办, 办结) is counted from the index alone.
CREATE INDEX requests_by_cadre_claims ON requests (handler_id, claimed_at, status) WHERE handler_id IS NOT NULL;
CREATE INDEX requests_by_claimed ON requests (claimed_at, assignee_path, status) WHERE claimed_at IS NOT NULL;
-- The progress notes of a list's requests: the measures of the task list. Few events are
-- notes, so the index is small and intake does not pay for it.
CREATE INDEX events_progress ON events (request_id) WHERE action = 'progress';
