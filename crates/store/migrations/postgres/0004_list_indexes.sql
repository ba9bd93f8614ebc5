-- The web list and dashboard read the current reports of a corpus of 100,000 and more: an index
-- that covers their filters and counts keeps them off the wide report rows (the JSON columns),
-- and regions (subtrees of agencies) are walked by parent.
CREATE INDEX reports_list ON reports (file_id, agency_id, year, errors, warnings, agency_name, published, layout);
CREATE INDEX agencies_parent ON agencies (parent_id);
