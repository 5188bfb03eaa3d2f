-- Province scale (issue 17): the county map counts each project's open
-- alerts; without this it read every alert row to test cleared_on.
create index alerts_open_filing on alerts (filing_id) where cleared_on is null;
