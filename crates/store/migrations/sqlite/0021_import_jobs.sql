-- An import run by the server in the background after an upload. The writer moves its
-- counts in the same transaction as each batch of rows, so the page that polls it shows
-- exactly what is stored, and a reload finds it where it was. The uploaded file is kept
-- with its job until the job is done, so that each step of the page (mapping, preview,
-- check, import) and every instance of the server reads the same file, and an import
-- cut short by a restart can be run again from its page.
CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    total_rows INTEGER NOT NULL,
    valid_rows INTEGER NOT NULL,
    done_rows INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    problems INTEGER NOT NULL,
    mapping TEXT NOT NULL,
    report TEXT NOT NULL,
    file BLOB NOT NULL,
    error TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
