use super::{
    IssueOrder, OrderAlert, OrderDetail, OrderDraft, OrderEvent, OrderFile, OrderList, OrderRow,
    OrderStatus, OrderStep, STATES, draft_order, get_order, list_orders,
};
use crate::{
    domain::Role,
    features::shell::ForRole,
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, TextArea, TextField},
        layout::PageHeader,
        records::filing_param,
        status::Loaded,
        table::{
            DataTable, FilterBar, FilterSelect, Pager, id_param, options, page_param, text_param,
        },
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn status_badge(r: &OrderRow) -> AnyView {
    let (class, text) = match (r.status, r.overdue) {
        (_, true) => ("badge badge-bad", format!("{}·逾期", r.status.label())),
        (OrderStatus::Closed, _) => ("badge badge-off", r.status.label().to_string()),
        (OrderStatus::Answered, _) => ("badge badge-ok", r.status.label().to_string()),
        _ => ("badge badge-warn", r.status.label().to_string()),
    };
    let pending = r
        .extension_pending
        .then(|| view! { " " <span class="badge badge-warn">"延期待审"</span> });
    view! { <span class=class>{text}</span>{pending} }.into_any()
}

/// 督办: the orders in the viewer's scope, overdue first.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let (q, state, severity) = (text_param("q"), text_param("state"), text_param("severity"));
    let (sector, unit, page) = (text_param("sector"), text_param("unit"), page_param());
    let list = Resource::new(
        move || {
            (
                q.get(),
                state.get(),
                severity.get(),
                sector.get(),
                unit.get(),
                page.get(),
            )
        },
        |(q, s, sev, sec, u, p)| list_orders(q, s, sev, sec, u, p),
    );
    view! {
        <Title text="督办 · 标后履约监管"/>
        <PageHeader title="督办">
            <ForRole roles=&[Role::Supervisor]>
                <a class="btn" href="/alerts?state=open">"从预警下发督办"</a>
            </ForRole>
        </PageHeader>
        <Loaded resource=list children={move |list: OrderList| {
            let OrderList { page, units } = list;
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <FilterBar placeholder="督办编号、项目或单位" select="state" select_label="状态" options=options(&STATES)
                    all_label="全部状态" export="/export/orders.xlsx">
                    <FilterSelect name="severity" label="级别" all_label="全部级别" options=options(&crate::features::alerts::SEVERITIES)/>
                    <FilterSelect name="sector" label="行业" all_label="全部行业" options=options(&crate::domain::SECTORS)/>
                    {(!units.is_empty()).then(|| view! {
                        <FilterSelect name="unit" label="建设单位" all_label="全部建设单位" options=units/>
                    })}
                </FilterBar>
                <DataTable
                    columns=vec!["督办编号", "项目", "责任单位", "督办部门", "办理期限", "状态"]
                    rows=page.items
                    row=|r: OrderRow| {
                        let badge = status_badge(&r);
                        vec![
                            view! { <a class="nowrap" href=format!("/orders/{}", r.id)>{r.order_no}</a> }.into_any(),
                            view! { <a href=r.link>{r.project}</a> {r.dossier.map(|id| view! { " " {crate::kit::records::dossier_link(id)} })} }.into_any(),
                            r.owner.into_any(),
                            r.issuer.into_any(),
                            view! { <span class:overdue=r.overdue>{r.deadline}</span> }.into_any(),
                            badge,
                        ]
                    }
                    empty="暂无督办"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// 下发督办: a supervisor picks open alerts of one project.
#[component]
pub fn OrderNewPage() -> impl IntoView {
    let filing = filing_param();
    let award = Memo::new({
        let raw = text_param("award_id");
        move |_| raw.get().parse().unwrap_or(0i64)
    });
    let chosen = text_param("alert");
    let draft = Resource::new(
        move || (filing.get(), award.get()),
        |(f, a)| draft_order(f, a),
    );
    let action = ServerAction::<IssueOrder>::new();
    view! {
        <Title text="下发督办 · 标后履约监管"/>
        <PageHeader title="下发督办">
            <a class="btn" href="/alerts?state=open">"返回预警"</a>
        </PageHeader>
        <Loaded resource=draft children={move |d: OrderDraft| {
            let errors = FormErrors::of(action);
            let alert_error = errors.field("alerts");
            let chosen = chosen.get_untracked();
            let empty = d.alerts.is_empty();
            view! {
                <section class="card">
                    <p><strong>"项目："</strong><a href=d.link>{d.project}</a>
                        {d.filing_id.is_none().then(|| view! { " " <span class="badge badge-warn">"待备案"</span> })}
                    </p>
                    <p><strong>"责任单位："</strong>{d.owner}</p>
                    <ActionForm action attr:class="form" attr:novalidate=true>
                        <FormAlert errors/>
                        {match d.filing_id {
                            Some(f) => view! { <input type="hidden" name="filing_id" value=f/> }.into_any(),
                            None => view! { <input type="hidden" name="award_id" value=d.award_id/> }.into_any(),
                        }}
                        <fieldset class="field alert-picks" class:has-error=move || alert_error().is_some()>
                            <legend>"督办事项（所依据的预警）"</legend>
                            {empty.then(|| view! { <p class="hint">"该项目没有未消除且未在督办中的预警。"</p> })}
                            {d.alerts.into_iter().map(|a| {
                                let checked = chosen.is_empty() || chosen == a.id.to_string();
                                view! {
                                    <label class="check alert-pick">
                                        <input type="checkbox" name="alerts[]" value=a.id checked=checked/>
                                        <span><strong>{a.rule}</strong>" （" {a.severity} "，自 " {a.started_on} "）"<br/>{a.message}</span>
                                    </label>
                                }
                            }).collect_view()}
                            <p class="field-error" role="alert">{alert_error}</p>
                        </fieldset>
                        <TextArea label="整改要求" name="action" errors required=true maxlength=1000 rows=4
                            value="请核实上述问题，按规定整改，并在办理期限内反馈整改情况及相关材料。"/>
                        <TextField label="办理期限" name="deadline" errors input_type="date" required=true value=d.deadline
                            hint="默认按预警级别：严重 3 天、一般 15 天、提示 30 天（可在设置中调整）"/>
                        <div class="form-actions">
                            <SubmitButton label="下发督办" pending=action.pending()/>
                        </div>
                    </ActionForm>
                </section>
            }
        }}/>
    }
}

/// 督办单: the order, its alerts, its timeline, and the forms of the step
/// the viewer may take now.
#[component]
pub fn OrderPage() -> impl IntoView {
    let id = id_param();
    let done = text_param("done");
    let reloads = RwSignal::new(0usize);
    let order = Resource::new(
        move || (id.get(), done.get(), reloads.get()),
        |(id, _, _)| get_order(id),
    );
    view! {
        <Title text="督办单 · 标后履约监管"/>
        <PageHeader title="督办单">
            <button type="button" class="btn no-print" on:click=|_| print_page()>"打印"</button>
            <a class="btn no-print" href="/orders">"返回列表"</a>
        </PageHeader>
        <Show when=move || !done.get().is_empty()>
            <div class="alert alert-ok no-print" role="status">"已办理"</div>
        </Show>
        <Loaded resource=order children={move |o: OrderDetail| view! { <OrderView o reloads/> }}/>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    let _ = window().print();
}

#[component]
fn OrderView(o: OrderDetail, reloads: RwSignal<usize>) -> impl IntoView {
    let r = o.row.clone();
    let badge = status_badge(&r);
    let awaits = r.status.awaits_owner();
    let answered = r.status == OrderStatus::Answered;
    let pending = o.extension_until.clone();
    let (id, version) = (r.id, o.version);
    let before_deadline = o.today.as_str() <= r.deadline.as_str();
    let may_upload = (o.may_answer || o.may_supervise) && r.status != OrderStatus::Closed;
    let unfiled = o.unfiled;
    let files = o.files.clone();
    let owner_forms = (o.may_answer && awaits).then(|| {
        view! {
            <StepCard id version reloads step="answer" title="反馈整改情况" button="提交反馈"
                body_label="整改情况" body_required=true/>
            {(before_deadline && pending.is_none()).then(|| view! {
                <StepCard id version reloads step="extension_ask" title="申请延期" button="提交申请"
                    body_label="延期理由" body_required=true date_label="申请延期至"/>
            })}
        }
    });
    let supervisor_forms = o.may_supervise.then(|| view! {
        {pending.clone().map(|until| view! {
            <StepCard id version reloads step="extension_grant" title=format!("同意延期至 {until}") button="同意延期"
                body_label="意见" body_required=false/>
            <StepCard id version reloads step="extension_refuse" title="不同意延期" button="不同意"
                body_label="不同意理由" body_required=true/>
        })}
        {answered.then(|| view! {
            <StepCard id version reloads step="close" title="办结" button="办结"
                body_label="办结意见" body_required=true/>
            <StepCard id version reloads step="return" title="退回重办" button="退回"
                body_label="退回理由" body_required=true date_label="新的办理期限"/>
        })}
        {awaits.then(|| view! {
            <StepCard id version reloads step="remind" title="催办" button="催办"
                body_label="催办内容（可不填）" body_required=false/>
        })}
    });
    view! {
        <article class="card order-sheet">
            <header class="order-head">
                <h2>"督 办 单"</h2>
                <p class="order-no">{r.order_no.clone()}</p>
            </header>
            <dl class="order-facts">
                <dt>"责任单位"</dt><dd>{r.owner.clone()}</dd>
                <dt>"项目"</dt><dd><a href=r.link.clone()>{r.project.clone()}</a></dd>
                <dt>"督办部门"</dt><dd>{r.issuer.clone()}</dd>
                <dt>"下发时间"</dt><dd>{datetime(r.created_at)}</dd>
                <dt>"办理期限"</dt><dd class:overdue=r.overdue>{r.deadline.clone()}{r.overdue.then_some("（已逾期）")}</dd>
                <dt>"状态"</dt><dd>{badge}{o.closed_on.clone().map(|d| format!(" {d}"))}</dd>
                {o.extension_until.clone().map(|u| view! {
                    <dt>"延期申请"</dt><dd>{format!("申请延期至 {u}：{}", o.extension_reason.clone().unwrap_or_default())}</dd>
                })}
            </dl>
            <h3>"督办事项"</h3>
            <ul class="order-alerts">
                {o.alerts.into_iter().map(|a: OrderAlert| view! {
                    <li>
                        <strong>{a.rule}</strong>" （" {a.severity} "，自 " {a.started_on} "）"
                        {a.cleared_on.map(|d| view! { " " <span class="badge badge-off">{format!("已消除 {d}")}</span> })}
                        <br/>{a.message}
                    </li>
                }).collect_view()}
            </ul>
            <h3>"整改要求"</h3>
            <p class="prose">{o.action}</p>
            <h3>"办理过程"</h3>
            <ol class="timeline">
                {o.events.into_iter().map(|e: OrderEvent| view! {
                    <li>
                        <div class="tl-head">
                            <span class="tl-action">{e.label}</span>
                            <span class="tl-time">{datetime(e.at)}</span>
                            <span class="tl-who">{format!("{}（{}）", e.actor, e.unit)}</span>
                        </div>
                        {(!e.body.is_empty()).then(|| view! { <p class="prose">{e.body}</p> })}
                        {e.deadline.map(|d| view! { <p class="hint">{format!("期限：{d}")}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </article>
        <OrderFiles id files may_upload unfiled/>
        <div class="order-forms no-print">
            {owner_forms}
            {supervisor_forms}
        </div>
    }
}

/// The order's documents, and the upload form while it is open.
#[component]
fn OrderFiles(id: i64, files: Vec<OrderFile>, may_upload: bool, unfiled: bool) -> impl IntoView {
    let (error, at) = (text_param("error"), text_param("at"));
    let error = move || {
        if at.get() == "files" {
            error.get()
        } else {
            String::new()
        }
    };
    view! {
        <section class="card" id="files">
            <h2>"附件"</h2>
            {if files.is_empty() {
                view! { <p class="hint">"尚无附件"</p> }.into_any()
            } else {
                view! {
                    <ul class="file-list">
                        {files.into_iter().map(|f| view! {
                            <li>
                                <span class="badge badge-off">{f.label}</span>" "
                                <a href=format!("/files/records/{}", f.id) target="_blank" rel="noopener">{f.name}</a>
                                <span class="hint">{format!(" {} · {}", f.by, datetime(f.at))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(may_upload && unfiled).then(|| view! {
                <p class="hint no-print">"该中标项目尚未填报合同备案：备案后可在此上传材料。"</p>
            })}
            {(may_upload && !unfiled).then(|| view! {
                <form class="form no-print" method="post" action=format!("/orders/{id}/files") enctype="multipart/form-data">
                    <div class="field" class:has-error=move || !error().is_empty()>
                        <label for="f-order-file">"上传文件"</label>
                        <input id="f-order-file" type="file" name="file" required accept="application/pdf,image/jpeg,image/png" aria-describedby="f-order-file-err"/>
                        <p class="hint">"PDF、JPEG 或 PNG，按文件内容校验：督办部门上传督办材料，责任单位上传整改材料"</p>
                        <p class="field-error" id="f-order-file-err" role="alert">{error}</p>
                    </div>
                    <div class="form-actions"><button type="submit" class="btn">"上传"</button></div>
                </form>
            })}
        </section>
    }
}

/// One step's form: a text and, for some steps, a date.
#[component]
fn StepCard(
    id: i64,
    version: i64,
    reloads: RwSignal<usize>,
    step: &'static str,
    #[prop(into)] title: String,
    button: &'static str,
    body_label: &'static str,
    body_required: bool,
    #[prop(optional)] date_label: Option<&'static str>,
) -> impl IntoView {
    let action = ServerAction::<OrderStep>::new();
    let errors = FormErrors::of(action);
    let value = action.value();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            reloads.update(|n| *n += 1);
        }
    });
    view! {
        <section class="card step-card" id=format!("step-{step}")>
            <h3>{title}</h3>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormAlert errors/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="step" value=step/>
                <input type="hidden" name="version" value=version/>
                <TextArea label=body_label name="body" scope=step errors required=body_required maxlength=2000 rows=3/>
                {date_label.map(|label| view! { <TextField label name="deadline" scope=step errors input_type="date" required=true/> })}
                <div class="form-actions">
                    <SubmitButton label=button pending=action.pending()/>
                </div>
            </ActionForm>
        </section>
    }
}
