-- Derived state that survives a crash: an ingest records, in the same transaction as a file,
-- that the agencies of its reports must be checked again across years; the re-check removes the
-- row when it is done (only if no newer file renewed `token` meanwhile). A killed ingest leaves
-- the rows, and the next run (or `nianbao recheck`) finishes them.
CREATE TABLE pending_rechecks (
    agency_id BIGINT PRIMARY KEY,
    token BIGINT NOT NULL
);
-- The name a file was uploaded under (uploads are stored by content hash, so two agencies'
-- `年报.txt` never become versions of each other); NULL for files ingested from a folder.
ALTER TABLE source_files ADD COLUMN original_name TEXT;
