-- 合同履约考评 and the contractor unit's role.
--
-- Users gain the role 'contractor' (施工单位 users). SQLite cannot alter a
-- check constraint, and rebuilding users needs foreign keys off, which a
-- migration (run in a transaction) cannot switch. Widening an IN list leaves
-- every stored row valid and the file format unchanged, which is the case
-- SQLite documents editing the stored schema for (ALTER TABLE, "making other
-- kinds of table schema changes"); RESET makes this connection re-read it.
PRAGMA writable_schema = ON;
update sqlite_schema
   set sql = replace(sql, '''owner'', ''key_personnel'')', '''owner'', ''key_personnel'', ''contractor'')')
 where type = 'table' and name = 'users';
PRAGMA writable_schema = RESET;

-- The evaluation form: its items (code, name, weight, guidance, the evidence
-- the system proposes a score from) and the grade cut-offs. An administrator
-- changes it by saving a new version; an evaluation keeps the version it was
-- scored on.
create table evaluation_forms (
    id integer primary key autoincrement,
    items text not null,
    good_min bigint not null,
    pass_min bigint not null,
    objection_days bigint not null,
    created_by bigint references users (id),
    created_at bigint not null
);
insert into evaluation_forms (items, good_min, pass_min, objection_days, created_at) values (
  '[{"code":"staffing","name":"机构人员配备","weight":14,"guidance":"项目经理、主要管理人员按投标承诺到位并在岗；按关键人员考勤率和人员更换提出建议分","evidence":"personnel"},{"code":"capacity","name":"技术经济实力","weight":13,"guidance":"技术力量、机械设备、资金投入满足合同要求","evidence":null},{"code":"management","name":"工程实施过程管理","weight":45,"guidance":"质量、安全、文明施工、现场管理、内业资料","evidence":null},{"code":"schedule","name":"工期控制","weight":15,"guidance":"实际进度与序时进度、调整后竣工日期；按工程进度提出建议分","evidence":"schedule"},{"code":"cooperation","name":"协调配合与服务","weight":13,"guidance":"配合建设单位与监管部门，按期整改督办事项；按督办情况提出建议分","evidence":"cooperation"}]',
  85, 60, 7, 0);

-- 合同履约考评: one per project and period (a quarter, or the completion),
-- a record kind: draft, submitted, corrected with a reason, voided.
create table evaluations (
    id integer primary key autoincrement,
    filing_id bigint not null references filings (id),
    status text not null check (status in ('draft', 'submitted', 'voided')),
    period text not null,
    period_start text not null,
    period_end text not null,
    form_id bigint not null references evaluation_forms (id),
    total bigint,
    grade text check (grade in ('good', 'pass', 'fail')),
    remarks text,
    -- What the system knew for the period (JSON), frozen at submission.
    evidence text not null,
    -- Submitted or last corrected: the objection period runs from here.
    scored_at bigint,
    -- An objection was upheld: the owner must score again.
    rescore_due integer not null default 0,
    version bigint not null default 1,
    created_by bigint references users (id),
    created_at bigint not null,
    updated_at bigint not null,
    submitted_at bigint,
    voided_at bigint,
    void_reason text
);
create unique index evaluations_once on evaluations (filing_id, period) where status <> 'voided';

-- One row per item of the evaluation's form: the score, the score the
-- evidence proposes (if the item has evidence), and the reason for a
-- different score.
create table evaluation_scores (
    evaluation_id bigint not null references evaluations (id),
    item text not null,
    score bigint,
    proposed bigint,
    reason text,
    primary key (evaluation_id, item)
);

-- 异议: the contractor objects within the period; the owner answers; a
-- supervisor decides (upheld: the owner scores again; dismissed).
create table objections (
    id integer primary key autoincrement,
    evaluation_id bigint not null references evaluations (id),
    -- The scoring objected to (evaluations.scored_at): one objection each.
    scored_at bigint not null,
    status text not null check (status in ('filed', 'answered', 'upheld', 'dismissed')),
    reason text not null,
    filed_by bigint references users (id),
    filed_at bigint not null,
    answer text,
    answered_by bigint references users (id),
    answered_at bigint,
    decision_note text,
    decided_by bigint references users (id),
    decided_at bigint,
    version bigint not null default 1
);
create unique index objections_once on objections (evaluation_id, scored_at);
