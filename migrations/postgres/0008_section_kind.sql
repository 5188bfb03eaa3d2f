-- A tender section's kind (施工, 监理, 勘察/设计, 其他) decides the filing's
-- fields and the roster role it must have. Existing sections take the kind
-- their name implies (the rule the import uses without a 标段类型 column).
alter table awards add column section_kind text not null default 'construction'
    check (section_kind in ('construction', 'supervision', 'survey_design', 'other'));
update awards set section_kind = 'supervision' where section_name like '%监理%';
update awards set section_kind = 'survey_design'
    where section_kind = 'construction' and (section_name like '%勘察%' or section_name like '%设计%');
