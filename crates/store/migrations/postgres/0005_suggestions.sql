-- Routing suggestions: the models trained from the platform's own closed requests, and
-- what intake suggested for each request (category, unit, duplicates). The model lives
-- here rather than on one instance's disk, so that every app instance serves the same
-- one and a restart keeps it.

CREATE TABLE route_models (
    -- The version: the newest row is the model in use.
    id BIGSERIAL PRIMARY KEY,
    trained_at BIGINT NOT NULL,
    -- How many closed requests it learned from.
    trained_from BIGINT NOT NULL,
    -- Held-out figures (JSON): accuracy, macro_f1, per label.
    scores TEXT NOT NULL,
    -- The model file (JSON), as `gongzhi route train` writes it.
    model TEXT NOT NULL
);

CREATE TABLE suggestions (
    request_id BIGINT PRIMARY KEY REFERENCES requests(id),
    -- First-level category and unit the model suggested; none when it had no model.
    category_id BIGINT,
    unit_id BIGINT,
    confidence DOUBLE PRECISION,
    -- The words behind the suggestion (JSON array of strings), strongest first.
    terms TEXT NOT NULL,
    -- Possible duplicates (JSON): [{id, number, similarity, shared_terms}].
    duplicates TEXT NOT NULL,
    model_version BIGINT,
    -- The request's creation time: periods of the accuracy figure are cohorts of intake.
    created_at BIGINT NOT NULL
);
CREATE INDEX suggestions_by_created ON suggestions (created_at);
