use super::{
    DuePeriod, EvalForm, EvalRow, EvaluationView, EvidenceView, ItemView, ObjectionStep,
    ObjectionView, STATES, SaveEvaluation, SaveForm, StartEvaluation, current_form,
    due_evaluations, get_evaluation, list_evaluations, period_label,
};
use crate::{
    domain::{
        ROSTER_ROLES, RecordStatus, Role,
        evaluation::{Evidence, ObjectionState},
        label_of,
        records::EVALUATION_FILE_KINDS,
    },
    features::{audit::ChangeHistory, shell::ForRole},
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, TextArea, TextField, successes},
        layout::PageHeader,
        records::{
            RecordActions, RecordFiles, RecordNotice, error_at, filing_param, flag_badges,
            status_badge,
        },
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, options, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Field names of the score rows (a form has at most 12 items).
const SCORES: [&str; 12] = [
    "scores[0]",
    "scores[1]",
    "scores[2]",
    "scores[3]",
    "scores[4]",
    "scores[5]",
    "scores[6]",
    "scores[7]",
    "scores[8]",
    "scores[9]",
    "scores[10]",
    "scores[11]",
];
const REASONS: [&str; 12] = [
    "reasons[0]",
    "reasons[1]",
    "reasons[2]",
    "reasons[3]",
    "reasons[4]",
    "reasons[5]",
    "reasons[6]",
    "reasons[7]",
    "reasons[8]",
    "reasons[9]",
    "reasons[10]",
    "reasons[11]",
];

fn grade_badge(label: Option<(&'static str, &'static str)>) -> AnyView {
    match label {
        Some((class, text)) => view! { <span class=class>{text}</span> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// The contractor's name, linked to its record for those who may read it.
fn contractor(link: bool, id: i64, name: String) -> AnyView {
    if link {
        view! { <a href=format!("/contractors/{id}")>{name}</a> }.into_any()
    } else {
        name.into_any()
    }
}

#[component]
pub fn EvaluationsPage() -> impl IntoView {
    let (q, status, page, filing) = (
        text_param("q"),
        text_param("status"),
        page_param(),
        filing_param(),
    );
    let list = Resource::new(
        move || (q.get(), status.get(), filing.get(), page.get()),
        |(q, s, f, p)| list_evaluations(q, s, f, p),
    );
    view! {
        <Title text="履约考评 · 标后履约监管"/>
        <PageHeader title="合同履约考评">
            <a class="btn" href="/admin/evaluation-form">"考评表"</a>
        </PageHeader>
        <p class="hint">"建设单位按季度和竣工对施工单位考评；每项旁列出系统记录（关键人员出勤、人员更换、进度、督办）和据此的建议分，评分与建议分不同须说明理由。施工单位可在异议期内提出异议，由监管部门裁定。"</p>
        <ForRole roles=&[Role::Owner]>
            <DueCard/>
        </ForRole>
        <FilterBar placeholder="项目、建设单位或施工单位" select="status" select_label="状态" options=options(&STATES) all_label="全部" export="/export/evaluations.xlsx"/>
        <Loaded resource=list children={|page: Page<EvalRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["考评期间", "项目 / 标段", "施工单位", "总分", "等级", "异议", "状态"]
                    rows=page.items
                    row=|r: EvalRow| {
                        let grade = r.grade().map(|g| (g.badge(), g.label()));
                        let objection = r.objection().map(|o| view! { <span class=o.badge()>{o.label()}</span> });
                        vec![
                            view! { <a class="nowrap" href=format!("/evaluations/{}", r.id)><strong>{r.period_label()}</strong></a> }.into_any(),
                            view! { <div><a href=format!("/evaluations?filing_id={}", r.filing_id)>{r.project.clone()}</a> {crate::kit::records::dossier_link(r.filing_id)}<br/><span class="muted">{r.owner_name.clone()}</span></div> }.into_any(),
                            contractor(r.contractor_link, r.contractor_unit_id, r.contractor_name.clone()),
                            r.total.map_or("—".to_string(), |t| t.to_string()).into_any(),
                            grade_badge(grade),
                            view! { {objection} {(r.rescore_due == 1).then(|| view! { <span class="badge badge-bad">"须重新评分"</span> })} }.into_any(),
                            view! { <div class="cell-actions">{status_badge(r.status)} {flag_badges(r.flags)}</div> }.into_any(),
                        ]
                    }
                    empty="暂无考评"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// 待考评: the periods the owner's projects owe, each with a button that
/// starts its evaluation.
#[component]
fn DueCard() -> impl IntoView {
    let start = ServerAction::<StartEvaluation>::new();
    let due = Resource::new(|| (), |_| due_evaluations());
    let errors = FormErrors::of(start);
    view! {
        <section class="card" aria-label="待考评">
            <h2>"待考评"</h2>
            <FormAlert errors/>
            <Loaded resource=due children={move |rows: Vec<DuePeriod>| view! {
                <DataTable
                    columns=vec!["考评期间", "项目 / 标段", "施工单位", "应于", ""]
                    rows
                    row=move |d: DuePeriod| vec![
                        period_label(&d.period).into_any(),
                        d.project.clone().into_any(),
                        d.contractor_name.clone().into_any(),
                        view! { <span class:bad=d.overdue>{d.due_on.clone()} {d.overdue.then_some(" 已逾期")}</span> }.into_any(),
                        match d.draft_id {
                            Some(id) => view! { <a class="btn btn-small" href=format!("/evaluations/{id}")>"继续考评（草稿）"</a> }.into_any(),
                            None => view! {
                                <ActionForm action=start attr:class="inline">
                                    <input type="hidden" name="filing_id" value=d.filing_id/>
                                    <input type="hidden" name="period" value=d.period.clone()/>
                                    <button type="submit" class="btn btn-small btn-primary">"开始考评"</button>
                                </ActionForm>
                            }.into_any(),
                        },
                    ]
                    empty="没有待考评的期间"
                />
            }}/>
        </section>
    }
}

#[component]
pub fn EvaluationPage() -> impl IntoView {
    let id = id_param();
    // The forms' actions live here so that a success reloads the page's
    // data (a failure keeps what was typed).
    let save = ServerAction::<SaveEvaluation>::new();
    let step = ServerAction::<ObjectionStep>::new();
    let (saved, stepped) = (successes(save), successes(step));
    let evaluation = Resource::new(
        move || (id.get(), saved.get(), stepped.get()),
        |(id, ..)| get_evaluation(id),
    );
    view! {
        <Title text="履约考评 · 标后履约监管"/>
        <PageHeader title="合同履约考评">
            <a class="btn" href="/evaluations">"返回列表"</a>
        </PageHeader>
        <RecordNotice/>
        <Loaded resource=evaluation children={move |e: EvaluationView| view! { <Evaluation e save step/> }}/>
        <ChangeHistory entity="evaluation" id/>
    }
}

#[component]
fn Evaluation(
    e: EvaluationView,
    save: ServerAction<SaveEvaluation>,
    step: ServerAction<ObjectionStep>,
) -> impl IntoView {
    let grade = e.grade.map(|g| (g.badge(), g.label()));
    let submit_error = error_at("submit");
    let draft = e.status == RecordStatus::Draft;
    view! {
        <section class="card summary">
            <div class="summary-head">
                <h2>{period_label(&e.period)} " · " {e.contractor_name.clone()}</h2>
                <div>{status_badge(e.status)} {flag_badges(e.flags.clone())}</div>
            </div>
            {e.rescore_due.then(|| view! {
                <div class="alert alert-error" role="alert">"施工单位的异议经监管部门裁定成立：建设单位须重新评分（更正并说明原因）。"</div>
            })}
            <dl class="facts">
                <dt>"项目"</dt><dd><a href=format!("/evaluations?filing_id={}", e.filing_id)>{e.project.clone()}</a> <span class="muted">{e.owner_name.clone()}</span></dd>
                <dt>"施工单位"</dt><dd>{contractor(e.contractor_link, e.contractor_unit_id, e.contractor_name.clone())}</dd>
                <dt>"考评期间"</dt><dd>{e.evidence.from.clone()} " 至 " {e.evidence.to.clone()}</dd>
                <dt>"总分"</dt><dd><strong class="big">{e.total.map_or("未评完".to_string(), |t| t.to_string())}</strong> " " {grade.map(|g| grade_badge(Some(g)))}
                    <span class="muted">{format!("（良好 ≥ {}，合格 ≥ {}；考评表第 {} 版）", e.good_min, e.pass_min, e.form_id)}</span></dd>
                {e.object_until.clone().map(|u| view! { <dt>"异议期"</dt><dd>{format!("至 {u}")}</dd> })}
                {e.void_reason.clone().map(|r| view! { <dt>"作废原因"</dt><dd class="bad">{r}</dd> })}
            </dl>
        </section>
        <EvidenceCard ev=e.evidence.clone() frozen=e.frozen/>
        {if e.editable {
            view! { <ScoreForm e=e.clone() save/> }.into_any()
        } else {
            view! { <ScoreTable items=e.items.clone() remarks=e.remarks.clone()/> }.into_any()
        }}
        <RecordFiles entity="evaluation" id=e.id files=e.files.clone() kinds=&EVALUATION_FILE_KINDS status=e.status editable=e.editable required=false/>
        {(e.editable && draft).then(|| view! {
            <section class="card" id="submit">
                <h2>"提交考评"</h2>
                <p class="hint">"提交后总分和等级确定，系统记录一并冻结；施工单位可在异议期内提出异议。提交后修改为更正，须说明原因，每一版都留痕。"</p>
                <Show when=move || !submit_error.get().is_empty()>
                    <div class="alert alert-error" role="alert">{move || submit_error.get()}</div>
                </Show>
                <form class="form" method="post" action=format!("/records/evaluation/{}/submit", e.id)>
                    <div class="form-actions"><button type="submit" class="btn btn-primary">"提交考评"</button></div>
                </form>
            </section>
            <RecordActions entity="evaluation" id=e.id version=e.version status=e.status required="" has_required=true submit=false/>
        })}
        <ObjectionCard e=e.clone() step/>
    }
}

#[component]
fn EvidenceCard(ev: EvidenceView, frozen: bool) -> impl IntoView {
    let people = ev.people.clone();
    let lines = |title: &'static str, v: Vec<String>, empty: &'static str| {
        view! {
            <h3>{title}</h3>
            {if v.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! { <ul>{v.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
            }}
        }
    };
    let alerts: Vec<String> = ev
        .alerts
        .iter()
        .map(|(n, c)| format!("{n} {c} 条"))
        .collect();
    view! {
        <section class="card" id="evidence" aria-label="系统记录">
            <h2>"系统记录 " <span class="muted">{format!("{} 至 {}", ev.from, ev.to)}</span></h2>
            <p class="hint">{if frozen { "提交时的记录（已冻结）" } else { "草稿：每次保存时按最新记录更新" }}</p>
            <h3>"关键人员出勤"</h3>
            <DataTable
                columns=vec!["岗位", "姓名", "应出勤", "已出勤", "出勤率"]
                rows=people
                row=|m: crate::features::attendance::MemberRate| {
                    let rate = m.rate().map_or("—".to_string(), |r| format!("{r:.0}%"));
                    vec![
                        label_of(&ROSTER_ROLES, &m.role).into_any(),
                        m.name.into_any(),
                        format!("{} 天", m.required).into_any(),
                        format!("{} 天", m.counted).into_any(),
                        rate.into_any(),
                    ]
                }
                empty="本期名单为空"
            />
            {lines("人员更换", ev.replacements.clone(), "本期无人员更换")}
            {lines("工程进度", ev.progress.clone(), "非施工标段，无进度记录")}
            {lines("督办", ev.orders.clone(), "本期无督办")}
            {lines("预警", alerts, "本期无预警")}
        </section>
    }
}

fn evidence_note(i: &ItemView) -> String {
    match i.evidence {
        Some(e) => format!("依据{}：{}", e.label(), i.basis),
        None => i.basis.clone(),
    }
}

#[component]
fn ScoreTable(items: Vec<ItemView>, remarks: String) -> impl IntoView {
    view! {
        <section class="card" id="scores">
            <h2>"评分"</h2>
            <DataTable
                columns=vec!["考评项目", "分值", "建议分", "得分", "理由"]
                rows=items
                row=|i: ItemView| {
                    let note = evidence_note(&i);
                    vec![
                        view! { <div><strong>{i.name.clone()}</strong><br/><span class="muted">{i.guidance.clone()}</span></div> }.into_any(),
                        i.weight.into_any(),
                        view! { <div>{i.proposed.map_or("—".to_string(), |p| p.to_string())}<br/><span class="muted small">{note}</span></div> }.into_any(),
                        view! { <strong>{i.score.map_or("未评".to_string(), |s| s.to_string())}</strong> }.into_any(),
                        i.reason.clone().unwrap_or_default().into_any(),
                    ]
                }
                empty="—"
            />
            {(!remarks.is_empty()).then(|| view! { <p><strong>"总体评价："</strong>{remarks}</p> })}
        </section>
    }
}

#[component]
fn ScoreForm(e: EvaluationView, save: ServerAction<SaveEvaluation>) -> impl IntoView {
    let errors = FormErrors::of(save);
    let submitted = e.status == RecordStatus::Submitted;
    let items = e.items.clone();
    view! {
        <section class="card" id="scores">
            <h2>{if submitted { "更正评分" } else { "评分" }}</h2>
            <p class="hint">"得分为 0 至该项分值的整数；与建议分不同须填写理由。草稿可只评部分项目，提交前须全部评完。"</p>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormAlert errors/>
                <input type="hidden" name="id" value=e.id/>
                <input type="hidden" name="version" value=e.version/>
                <div class="table-wrap">
                    <table class="data-table score-table">
                        <thead><tr><th>"考评项目"</th><th>"分值"</th><th>"建议分"</th><th>"得分"</th><th>"理由"</th></tr></thead>
                        <tbody>
                            {items.into_iter().enumerate().take(12).map(|(n, i)| {
                                let (score_name, reason_name) = (SCORES[n], REASONS[n]);
                                let score_err = errors.field(score_name);
                                let reason_err = errors.field(reason_name);
                                let score = errors.submitted(score_name).unwrap_or_else(|| i.score.map(|s| s.to_string()).unwrap_or_default());
                                let reason = errors.submitted(reason_name).unwrap_or_else(|| i.reason.clone().unwrap_or_default());
                                let note = evidence_note(&i);
                                let (sid, rid) = (format!("f-score-{n}"), format!("f-reason-{n}"));
                                view! {
                                    <tr>
                                        <td data-label="考评项目">
                                            <input type="hidden" name="items[]" value=i.code.clone()/>
                                            <label for=sid.clone()><strong>{i.name.clone()}</strong></label><br/>
                                            <span class="muted">{i.guidance.clone()}</span>
                                        </td>
                                        <td data-label="分值">{i.weight}</td>
                                        <td data-label="建议分">{i.proposed.map_or("—".to_string(), |p| p.to_string())}<br/><span class="muted small">{note}</span></td>
                                        <td data-label="得分" class:has-error=move || score_err().is_some()>
                                            <input id=sid.clone() name="scores[]" value=score inputmode="numeric" maxlength=3 size=4
                                                aria-invalid=move || score_err().is_some().then_some("true") aria-describedby=format!("{sid}-err")/>
                                            <p class="field-error" id=format!("{sid}-err") role="alert">{move || score_err()}</p>
                                        </td>
                                        <td data-label="理由" class:has-error=move || reason_err().is_some()>
                                            <input id=rid.clone() name="reasons[]" value=reason maxlength=200 aria-label=format!("{}的评分理由", i.name)
                                                aria-invalid=move || reason_err().is_some().then_some("true") aria-describedby=format!("{rid}-err")/>
                                            <p class="field-error" id=format!("{rid}-err") role="alert">{move || reason_err()}</p>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <TextArea label="总体评价" name="remarks" errors value=e.remarks.clone() maxlength=500/>
                {submitted.then(|| view! {
                    <TextField label="更正原因" name="correction" errors required=true maxlength=200 hint="已提交的考评修改为更正，原因记入变更记录"/>
                })}
                <div class="form-actions">
                    <SubmitButton label=if submitted { "保存更正" } else { "保存评分" } pending=save.pending()/>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ObjectionCard(e: EvaluationView, step: ServerAction<ObjectionStep>) -> impl IntoView {
    let errors = FormErrors::of(step);
    let object_error = error_at("objection");
    let current = e.objections.first().cloned();
    let show = !e.objections.is_empty() || e.can_object;
    show.then(|| view! {
        <section class="card" id="objection">
            <h2>"异议"</h2>
            {e.objections.clone().into_iter().map(|o| view! { <ObjectionItem o/> }).collect_view()}
            {e.can_object.then(|| view! {
                <p class="hint">{format!("对本次评分有异议的，请在异议期内（至 {}）提出，说明理由并可附材料；建设单位答复后由监管部门裁定。", e.object_until.clone().unwrap_or_default())}</p>
                <Show when=move || !object_error.get().is_empty()>
                    <div class="alert alert-error" role="alert">{move || object_error.get()}</div>
                </Show>
                <form class="form" method="post" action=format!("/evaluations/{}/objection", e.id) enctype="multipart/form-data">
                    <div class="field">
                        <label for="f-objection">"异议理由" <span class="req" aria-hidden="true">"*"</span></label>
                        <textarea id="f-objection" name="reason" required maxlength=1000 rows=4></textarea>
                    </div>
                    <div class="field">
                        <label for="f-objection-file">"异议材料"</label>
                        <input id="f-objection-file" type="file" name="file" accept="application/pdf,image/jpeg,image/png"/>
                        <p class="hint">"可选；PDF、JPEG 或 PNG"</p>
                    </div>
                    <div class="form-actions"><button type="submit" class="btn btn-primary">"提出异议"</button></div>
                </form>
            })}
            {current.clone().filter(|_| e.can_answer).map(|o| view! {
                <ActionForm action=step attr:class="form">
                    <FormAlert errors/>
                    <input type="hidden" name="id" value=o.id/>
                    <input type="hidden" name="version" value=o.version/>
                    <input type="hidden" name="step" value="answer"/>
                    <TextArea label="答复意见" name="body" errors required=true maxlength=1000 hint="说明评分依据；答复后由监管部门裁定"/>
                    <div class="form-actions"><SubmitButton label="答复异议" pending=step.pending()/></div>
                </ActionForm>
            })}
            {current.filter(|_| e.can_decide).map(|o| view! {
                <ActionForm action=step attr:class="form">
                    <FormAlert errors/>
                    <input type="hidden" name="id" value=o.id/>
                    <input type="hidden" name="version" value=o.version/>
                    <fieldset>
                        <legend>"裁定"</legend>
                        <label class="check"><input type="radio" name="step" value="uphold" required/>" 异议成立（建设单位须重新评分）"</label>
                        <label class="check"><input type="radio" name="step" value="dismiss"/>" 驳回异议"</label>
                    </fieldset>
                    <TextArea label="裁定意见" name="body" errors required=true maxlength=1000/>
                    <div class="form-actions"><SubmitButton label="提交裁定" pending=step.pending()/></div>
                </ActionForm>
            })}
        </section>
    })
}

#[component]
fn ObjectionItem(o: ObjectionView) -> impl IntoView {
    view! {
        <div class="objection">
            <p><span class=o.state.badge()>{o.state.label()}</span> " " {o.filed_by.clone()} " · " {datetime(o.filed_at)}</p>
            <p>{o.reason.clone()}</p>
            {(!o.files.is_empty()).then(|| view! {
                <ul>{o.files.clone().into_iter().map(|f| view! {
                    <li><a href=format!("/files/records/{}", f.id) target="_blank" rel="noopener">{f.file_name}</a></li>
                }).collect_view()}</ul>
            })}
            {o.answer.clone().map(|a| view! {
                <p><strong>"建设单位答复："</strong>{a} <span class="muted">{format!(" {} · {}", o.answered_by.clone().unwrap_or_default(), o.answered_at.map(datetime).unwrap_or_default())}</span></p>
            })}
            {o.decision_note.clone().map(|d| view! {
                <p><strong>{if o.state == ObjectionState::Upheld { "裁定成立：" } else { "裁定驳回：" }}</strong>{d}
                    <span class="muted">{format!(" {} · {}", o.decided_by.clone().unwrap_or_default(), o.decided_at.map(datetime).unwrap_or_default())}</span></p>
            })}
        </div>
    }
}

/// 考评表: the items, weights and cut-offs new evaluations are scored on;
/// an administrator saves a new version (past evaluations keep theirs).
#[component]
pub fn EvaluationFormPage() -> impl IntoView {
    let save = ServerAction::<SaveForm>::new();
    let form = Resource::new(move || save.version().get(), |_| current_form());
    view! {
        <Title text="考评表 · 标后履约监管"/>
        <PageHeader title="合同履约考评表">
            <a class="btn" href="/evaluations">"返回考评"</a>
        </PageHeader>
        <RecordNotice/>
        <Loaded resource=form children={move |f: EvalForm| view! {
            <section class="card">
                <p class="hint">{format!("现行第 {} 版，已有 {} 份考评按此版评分。修改后保存为新版本，只用于今后开始的考评；已开始的考评仍按原版本。", f.id, f.used)}</p>
                <ScoreSheet f=f.clone()/>
                <ForRole roles=&[Role::Admin]>
                    <FormEditor action=save f=f.clone()/>
                </ForRole>
            </section>
        }}/>
    }
}

#[component]
fn ScoreSheet(f: EvalForm) -> impl IntoView {
    view! {
        <DataTable
            columns=vec!["考评项目", "分值", "评分要点", "系统依据"]
            rows=f.items.clone()
            row=|i: crate::domain::evaluation::FormItem| vec![
                i.name.into_any(),
                i.weight.into_any(),
                i.guidance.into_any(),
                i.evidence.map_or("由建设单位评定", Evidence::label).into_any(),
            ]
            empty="—"
        />
        <p>{format!("良好 ≥ {} 分，合格 ≥ {} 分，其余不合格；异议期 {} 天。", f.good_min, f.pass_min, f.objection_days)}</p>
    }
}

#[component]
fn FormEditor(action: ServerAction<SaveForm>, f: EvalForm) -> impl IntoView {
    let errors = FormErrors::of(action);
    let items_error = errors.field("items");
    let mut rows = f.items.clone();
    // Room for new items.
    while rows.len() < f.items.len() + 2 && rows.len() < 12 {
        rows.push(crate::domain::evaluation::FormItem {
            code: String::new(),
            name: String::new(),
            weight: 0,
            guidance: String::new(),
            evidence: None,
        });
    }
    view! {
        <h2>"修改考评表"</h2>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="seen" value=f.id/>
            <p class="field-error" role="alert">{move || items_error()}</p>
            <div class="table-wrap">
                <table class="data-table form-table">
                    <thead><tr><th>"考评项目"</th><th>"分值"</th><th>"评分要点"</th><th>"系统依据"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().enumerate().map(|(n, i)| {
                            let weight = if i.weight > 0 { i.weight.to_string() } else { String::new() };
                            let ev = i.evidence.map(|e| e.code()).unwrap_or("");
                            view! {
                                <tr>
                                    <td data-label="考评项目"><input name="names[]" value=i.name maxlength=20 aria-label=format!("第 {} 项名称", n + 1)/></td>
                                    <td data-label="分值"><input name="weights[]" value=weight inputmode="numeric" maxlength=3 size=4 aria-label=format!("第 {} 项分值", n + 1)/></td>
                                    <td data-label="评分要点"><input name="guidance[]" value=i.guidance maxlength=200 aria-label=format!("第 {} 项评分要点", n + 1)/></td>
                                    <td data-label="系统依据">
                                        <select name="evidence[]" aria-label=format!("第 {} 项系统依据", n + 1)>
                                            <option value="" selected=ev.is_empty()>"由建设单位评定"</option>
                                            {Evidence::ALL.into_iter().map(|e| view! { <option value=e.code() selected=ev == e.code()>{e.label()}</option> }).collect_view()}
                                        </select>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="form-grid">
                <TextField label="良好分数线" name="good_min" errors value=f.good_min.to_string() required=true maxlength=3 input_mode="numeric"/>
                <TextField label="合格分数线" name="pass_min" errors value=f.pass_min.to_string() required=true maxlength=3 input_mode="numeric"/>
                <TextField label="异议期（天）" name="objection_days" errors value=f.objection_days.to_string() required=true maxlength=2 input_mode="numeric"/>
            </div>
            <div class="form-actions"><SubmitButton label="保存为新版本" pending=action.pending()/></div>
        </ActionForm>
    }
}
