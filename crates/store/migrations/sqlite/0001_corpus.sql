-- The corpus: agencies, source files (one version per content hash), reports, cells, findings.
CREATE TABLE agencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES agencies(id),
    kind TEXT
);
CREATE TABLE agency_aliases (
    alias_key TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id)
);
CREATE TABLE source_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    format TEXT,
    status TEXT NOT NULL,
    error TEXT,
    parser_version TEXT NOT NULL,
    version INTEGER NOT NULL,
    is_current INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    UNIQUE (path, sha256)
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    idx INTEGER NOT NULL,
    agency_id INTEGER REFERENCES agencies(id),
    agency_name TEXT,
    year INTEGER,
    layout TEXT,
    published TEXT,
    title TEXT,
    report_json TEXT NOT NULL,
    prose_json TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    UNIQUE (file_id, idx)
);
CREATE INDEX reports_agency_year ON reports (agency_id, year);
-- Which cell a cell_id is: every (layout, table, row, column) of both official layouts,
-- numbered once (filled by the program at start-up, see cell_keys.rs).
CREATE TABLE cell_keys (
    cell_id INTEGER PRIMARY KEY,
    layout TEXT NOT NULL,
    tbl TEXT NOT NULL,
    row_key TEXT NOT NULL,
    col INTEGER NOT NULL,
    field TEXT NOT NULL,
    UNIQUE (layout, tbl, row_key, col)
);
-- Every cell of every report: its value and what it holds (number, zero, blank, slash,
-- unreadable), how it was read, and where (line and byte range in the source file).
CREATE TABLE cells (
    report_id BIGINT NOT NULL REFERENCES reports(id),
    cell_id INTEGER NOT NULL REFERENCES cell_keys(cell_id),
    value DOUBLE PRECISION,
    semantics TEXT NOT NULL,
    how TEXT NOT NULL,
    raw TEXT,
    line INTEGER,
    start_byte BIGINT,
    end_byte BIGINT,
    PRIMARY KEY (report_id, cell_id)
) WITHOUT ROWID;
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    expected TEXT,
    found TEXT,
    cells TEXT NOT NULL,
    line INTEGER,
    col_no INTEGER,
    start_byte BIGINT,
    end_byte BIGINT
);
CREATE INDEX findings_report ON findings (report_id);
