-- The alert rule 存疑打卡频繁 reads flagged check-ins only; they are few, so
-- a partial index keeps that read off the whole check-in table and costs
-- the check-in writer nothing for the (many) clean rows.
create index checkins_flagged on checkins (day) where flags <> '';
