-- An administrator's settings of each alert rule: on/off and thresholds
-- (JSON object, key → number). A rule without a row runs with the
-- environment's defaults. Changes are versioned and in the trail.
create table rule_settings (
    id integer primary key autoincrement,
    code text not null unique,
    enabled integer not null default 1,
    params text not null default '{}',
    version bigint not null default 1,
    updated_at bigint not null,
    updated_by bigint references users (id)
);
