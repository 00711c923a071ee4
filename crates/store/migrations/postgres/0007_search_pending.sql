-- Requests written since the search index last caught up. Intake records a request here
-- (one row at the end of a key) instead of its hundred-odd postings, which would land on
-- as many scattered index pages; the writer moves them into request_terms in batches,
-- sorted by token, when it is idle. Searches also read the requests still listed here.
CREATE TABLE search_pending (
    request_id BIGINT NOT NULL PRIMARY KEY
);
