-- Alerts may be about an award that has no filing yet (未按期备案), so an
-- alert names its award always and its filing when there is one. The
-- monthly attendance rule now runs in the engine: its alerts are keyed by
-- subject ("<user id>@<month>") like every other rule's, so the old
-- once-per-period index goes. Orders, too, name their award always and
-- their filing when there is one (an order may ask for the missing filing).
-- Orders and their steps may be issued by the system (a rule set to
-- 自动督办): issued_by and the step's user are then empty. rule_settings
-- gains that switch.
alter table alerts add column award_id bigint references awards (id);
update alerts x set award_id = f.award_id from filings f where f.id = x.filing_id;
alter table alerts alter column award_id set not null;
alter table alerts alter column filing_id drop not null;
update alerts set subject = user_id || '@' || period where kind = 'attendance_pm' and user_id is not null;
drop index alerts_once;
drop index alerts_open_once;
create index alerts_award on alerts (award_id);
create unique index alerts_open_once on alerts (kind, award_id, subject) where cleared_on is null;

alter table supervision_orders add column award_id bigint references awards (id);
update supervision_orders o set award_id = f.award_id from filings f where f.id = o.filing_id;
alter table supervision_orders alter column award_id set not null;
alter table supervision_orders alter column filing_id drop not null;
create index supervision_orders_award on supervision_orders (award_id);
alter table supervision_orders alter column issued_by drop not null;
alter table order_events alter column user_id drop not null;

alter table rule_settings add column auto_order integer;
