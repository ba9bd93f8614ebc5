-- A reviewer's corrections of cells read from an image (OCR, issue 15). Each row is one new
-- version of the reading of one cell of one stored report (a report row is one reading of one
-- file): the value shown before and the value typed, who and when. Rows are never updated; the
-- latest row of a cell (highest id) is the cell's value, applied on top of the parsed report
-- whenever the file is read again for a re-check.
CREATE TABLE cell_corrections (
    id BIGSERIAL PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    tbl TEXT NOT NULL,
    row_key TEXT NOT NULL,
    col BIGINT NOT NULL,
    old_value TEXT NOT NULL,
    new_value DOUBLE PRECISION NOT NULL,
    user_id BIGINT REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX cell_corrections_report ON cell_corrections (report_id, id);
