-- The web workbench (`nianbao serve`): accounts, sessions and reviewers' decisions on findings.
-- role: 'admin' (everything) or 'reviewer' (the agencies under region_id, recursively).
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    region_id INTEGER REFERENCES agencies(id),
    created_at TEXT NOT NULL
);
-- token_hash: SHA-256 (hex) of the cookie value, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
-- A decision on a finding, keyed by what stays the same when the report is checked again or
-- filed again (agency, year, rule, cells; the message for findings without cells), not by the
-- finding's row id, which changes at every re-check. status: 'confirmed' or 'dismissed'.
CREATE TABLE review_decisions (
    finding_key TEXT PRIMARY KEY,
    agency_id INTEGER,
    year INTEGER,
    rule TEXT NOT NULL,
    status TEXT NOT NULL,
    comment TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    decided_at TEXT NOT NULL
);
CREATE INDEX review_decisions_agency_year ON review_decisions (agency_id, year);
