-- Historical records imported from files. Each row of a file has a source id (its own
-- column, else the file's name and the row's number); kept here under a unique key, it
-- is what lets the same file be imported again, after an interruption too, without
-- storing any row twice.
CREATE TABLE import_sources (
    source_id TEXT PRIMARY KEY,
    request_id INTEGER NOT NULL
) WITHOUT ROWID;

-- Column mappings saved under a name, to be used again for the next file of a system.
CREATE TABLE import_mappings (
    name TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
