-- The office's letter log (文号 numbering, issue 16): every 整改通知 ('notice') and 催报通知
-- ('reminder') issued, with the sequence number it took in its issue year (the year of the
-- letter's date) and the 文号 printed from it. One office per database, so the sequence runs per
-- issue year; `UNIQUE (issue_year, seq)` keeps two letters from sharing a number. `content` is a
-- hash of what the letter says (its findings, the agency, the report year, the kind): a
-- re-download of an unchanged letter in the same issue year reuses its number.
CREATE TABLE letters (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    report_year BIGINT NOT NULL,
    issue_year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL,
    content TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    issued_at TEXT NOT NULL,
    UNIQUE (issue_year, seq)
);
CREATE INDEX letters_agency ON letters (agency_id, report_year, kind, issue_year);
-- Where a finding is on a filled fill-in form: the sheet and cell its value was typed in
-- (`表三!D6`), so the report page and the letters name it as the agency sees it rather than a
-- line of the text the reader assembled from the sheets. NULL for published reports.
ALTER TABLE findings ADD COLUMN cell TEXT;
