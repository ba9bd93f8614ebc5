-- Report identity (issue 16): a report belongs to (agency, year), never to a file name. Every
-- document of one agency-year is a version of it, and exactly one report row per agency-year is
-- current (`reports.is_current`): the reviewer's choice (`report_cases.chosen_report_id`), else the
-- latest submitted version. Every count, list, sum and export reads `reports.is_current` only;
-- `source_files.is_current` (path versioning, which let a second agency's `年报.txt` replace the
-- first's) is no longer read. Reports without an agency or a year have no identity: current
-- as long as their file was.
ALTER TABLE reports ADD COLUMN is_current BIGINT NOT NULL DEFAULT 0;
-- An agency account's upload that it has not submitted yet (its pre-check): never current.
ALTER TABLE reports ADD COLUMN draft BIGINT NOT NULL DEFAULT 0;
UPDATE reports SET is_current = 1
WHERE id IN (SELECT MAX(id) FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL GROUP BY agency_id, year);
UPDATE reports SET is_current = 1
WHERE (agency_id IS NULL OR year IS NULL) AND file_id IN (SELECT id FROM source_files WHERE is_current = 1);
CREATE INDEX reports_current ON reports (is_current, agency_id, year, errors, warnings, agency_name, published, layout);
CREATE INDEX reports_file ON reports (file_id);
-- The corpus's sums follow the current reports (a report whose file was replaced under its name
-- by another agency's counts again).
DELETE FROM country_sums;
INSERT INTO country_sums (year, cell_id, total, n)
SELECT COALESCE(r.year, 0), c.cell_id, SUM(c.value), COUNT(*)
FROM cells c JOIN reports r ON r.id = c.report_id
WHERE r.is_current = 1 AND c.value IS NOT NULL
GROUP BY COALESCE(r.year, 0), c.cell_id;
-- The review of one agency-year (整改闭环): its status — 'submitted' (待审核), 'returned' (退回整改),
-- 'resubmitted' (已重新提交), 'approved' (通过) — and the version a reviewer chose as current.
CREATE TABLE report_cases (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    status TEXT NOT NULL,
    chosen_report_id BIGINT REFERENCES reports(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, year)
);
-- Every step of a case with who and when; rows are only ever added.
CREATE TABLE case_events (
    id BIGSERIAL PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    report_id BIGINT REFERENCES reports(id),
    user_id BIGINT REFERENCES users(id),
    comment TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (agency_id, year, id);
-- Every agency-year that has a current report starts as submitted (待审核).
INSERT INTO report_cases (agency_id, year, status, updated_at)
SELECT DISTINCT agency_id, year, 'submitted', '1970-01-01T00:00:00Z' FROM reports WHERE is_current = 1 AND agency_id IS NOT NULL AND year IS NOT NULL;
-- The office's letter settings (发文机关, 文号 pattern, 整改时限, contact, signature), one JSON
-- object in the shape of nianbao_write::notice::OfficeSettings, set by an administrator.
CREATE TABLE office_settings (
    id BIGINT PRIMARY KEY,
    settings_json TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at TEXT NOT NULL
);
