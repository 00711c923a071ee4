-- Full-text search that behaves the same on both databases: the application cuts title
-- and content into tokens (CJK bigrams, ASCII words; gongzhi_text::search_tokens) and
-- stores each distinct token's 64-bit hash here, once per request. A query's tokens
-- become a lookup of postings in (term, request_id) order, newest request first.
CREATE TABLE request_terms (
    term INTEGER NOT NULL,
    request_id INTEGER NOT NULL,
    PRIMARY KEY (term, request_id)
) WITHOUT ROWID;
