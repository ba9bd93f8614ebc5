-- The application register (依申请公开台账), as an append-only event log: nothing is updated or
-- deleted. An application is the fold of its register_log rows: 'record' sets its whole content
-- (created, or replaced by a re-import), 'event' appends a dated event, 'retract' withdraws an
-- earlier row (a wrong entry) — each with who and when. A closed year can be locked.
CREATE TABLE register_applications (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    number TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (agency_id, number)
);
CREATE TABLE register_log (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES register_applications(id),
    action TEXT NOT NULL,
    data TEXT NOT NULL,
    import_id BIGINT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX register_log_application ON register_log (application_id, id);
CREATE TABLE register_imports (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE register_locks (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    locked_by TEXT NOT NULL,
    locked_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, year)
);
-- Holiday notices imported by an administrator (`nianbao calendar import`), as the JSON of a
-- nianbao_calendar::Notice; they add to (or replace, same year and name) the shipped ones.
CREATE TABLE calendar_notices (
    id BIGSERIAL PRIMARY KEY,
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    notice_json TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
