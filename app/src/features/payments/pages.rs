use super::{
    Payment, PaymentRow, SavePayment, TimelinePoint, get_payment, list_payments,
    new_payment_defaults, payment_timeline,
};
use crate::{
    domain::{
        Fen, RecordStatus, Role, label_of, records::PAYMENT_FILE_KINDS, records::PAYMENT_KINDS,
    },
    features::{audit::ChangeHistory, filings::project_options, shell::ForRole},
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextArea, TextField},
        layout::PageHeader,
        records::{
            FiguresCard, ProjectFiguresCard, ProjectSelect, RecordActions, RecordFiles,
            RecordNotice, filing_param, flag_badges, record_status_options, status_badge,
        },
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn kinds() -> Vec<(String, String)> {
    PAYMENT_KINDS
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect()
}

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let (q, status, page, filing) = (
        text_param("q"),
        text_param("status"),
        page_param(),
        filing_param(),
    );
    let list = Resource::new(
        move || (q.get(), status.get(), filing.get(), page.get()),
        |(q, s, f, p)| list_payments(q, s, f, p),
    );
    let timeline = Resource::new(
        move || filing.get(),
        |f| async move {
            if f == 0 {
                Ok(Vec::new())
            } else {
                payment_timeline(f).await
            }
        },
    );
    view! {
        <Title text="资金拨付 · 标后履约监管"/>
        <PageHeader title="资金拨付">
            <ForRole roles=&[Role::Owner]>
                <a class="btn btn-primary" href=move || match filing.get() { 0 => "/payments/new".to_string(), f => format!("/payments/new?filing_id={f}") }>"登记拨付"</a>
            </ForRole>
        </PageHeader>
        <Show when=move || filing.get() != 0>
            <ProjectFiguresCard filing_id=filing/>
        </Show>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let points = timeline.await.unwrap_or_default();
                (!points.is_empty()).then(|| view! { <Timeline points/> })
            })}
        </Transition>
        <FilterBar placeholder="项目、凭证号或收款单位" select="status" select_label="状态" options=record_status_options() all_label="全部状态" export="/export/payments.xlsx"/>
        <Loaded resource=list children={|page: Page<PaymentRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["拨付日期", "项目 / 标段", "类型", "金额（元）", "其中人工费（元）", "收款单位 / 凭证号", "状态"]
                    rows=page.items
                    row=|r: PaymentRow| vec![
                        view! { <a class="nowrap" href=format!("/payments/{}", r.id)><strong>{r.paid_on}</strong></a> }.into_any(),
                        view! { <div><a href=format!("/payments?filing_id={}", r.filing_id)>{r.project}</a> {crate::kit::records::dossier_link(r.filing_id)}<br/><span class="muted">{r.owner_name}</span></div> }.into_any(),
                        label_of(&PAYMENT_KINDS, &r.kind).into_any(),
                        view! { <span class="num">{Fen(r.amount_fen).yuan()}</span> }.into_any(),
                        view! { <span class="num">{Fen(r.labour_fen).yuan()}</span> }.into_any(),
                        view! { <div>{r.payee}<br/><span class="muted">{r.voucher_no}</span></div> }.into_any(),
                        view! { <div class="cell-actions">{status_badge(r.status)} {flag_badges(r.flags)}</div> }.into_any(),
                    ]
                    empty="暂无拨付记录"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// 拨付时间线: each submitted payment in date order, with the running total as
/// a bar against the revised contract price (plain HTML, prints as it shows).
#[component]
fn Timeline(points: Vec<TimelinePoint>) -> impl IntoView {
    view! {
        <section class="card" aria-label="拨付时间线">
            <h2>"拨付时间线"</h2>
            <ol class="pay-timeline">
                {points.into_iter().map(|t| {
                    let width = format!("width: {:.1}%", t.cumulative_pct.clamp(0.0, 100.0));
                    let over = t.cumulative_pct > 100.0;
                    view! {
                        <li>
                            <a href=format!("/payments/{}", t.id)><time>{t.paid_on}</time></a>
                            <span class="pt-kind">{label_of(&PAYMENT_KINDS, &t.kind)}</span>
                            <span class="num pt-amount">{Fen(t.amount_fen).wan()} " 万元"</span>
                            <span class="pt-bar" class:over=over><i style=width></i></span>
                            <span class="num pt-total">"累计 " {Fen(t.cumulative_fen).wan()} " 万元 · " {format!("{:.1}%", t.cumulative_pct)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
pub fn PaymentNewPage() -> impl IntoView {
    let save = ServerAction::<SavePayment>::new();
    let filing = text_param("filing_id");
    let projects = Resource::new(|| (), |_| project_options());
    let defaults = Resource::new(
        move || filing.get(),
        |f| async move {
            match f.parse::<i64>() {
                Ok(id) if id > 0 => new_payment_defaults(id).await.ok().map(|d| d.payee),
                _ => None,
            }
        },
    );
    view! {
        <Title text="登记拨付 · 标后履约监管"/>
        <PageHeader title="登记资金拨付">
            <a class="btn" href="/payments">"返回列表"</a>
        </PageHeader>
        <ForRole roles=&[Role::Owner]>
            <section class="card">
                <p class="hint">"登记已实际发生的拨付：先保存为草稿，再上传支付凭证并提交登记。违反规定的拨付也如实登记，系统会自动预警。"</p>
                <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        let payee = defaults.await.unwrap_or_default();
                        let options = projects.await.unwrap_or_default().into_iter().map(|p| (p.id, p.label)).collect();
                        view! { <PaymentForm action=save payment=None filing=filing.get_untracked() payee options/> }
                    })}
                </Transition>
            </section>
        </ForRole>
    }
}

#[component]
fn PaymentForm(
    action: ServerAction<SavePayment>,
    payment: Option<Payment>,
    #[prop(optional)] filing: String,
    #[prop(optional)] payee: String,
    #[prop(optional)] options: Vec<(i64, String)>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let p = payment.clone();
    let get = move |f: fn(&Payment) -> String| p.as_ref().map(f).unwrap_or_default();
    let money = |v: Option<i64>| v.map(|f| Fen(f).plain()).unwrap_or_default();
    let submitted = payment
        .as_ref()
        .is_some_and(|p| p.status == RecordStatus::Submitted);
    let id = payment.as_ref().map(|p| p.id).unwrap_or(0);
    let version = payment
        .as_ref()
        .map(|p| p.version.to_string())
        .unwrap_or_default();
    let filing_value = payment
        .as_ref()
        .map(|p| p.filing_id.to_string())
        .unwrap_or(filing);
    let payee = payment.as_ref().map(|p| p.payee.clone()).unwrap_or(payee);
    let labour = payment
        .as_ref()
        .map(|p| Fen(p.labour_fen).plain())
        .unwrap_or_else(|| "0".into());
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            {if id == 0 {
                view! { <ProjectSelect options value=filing_value errors/> }.into_any()
            } else {
                view! { <input type="hidden" name="filing_id" value=filing_value/> }.into_any()
            }}
            <div class="form-grid">
                <SelectField label="拨付类型" name="kind" errors options=kinds() value=get(|p| p.kind.clone()) placeholder="请选择" required=true/>
                <TextField label="拨付日期" name="paid_on" errors value=get(|p| p.paid_on.clone()) input_type="date" required=true hint="不早于合同签订日期，不晚于今天"/>
                <TextField label="拨付金额（元）" name="amount" errors value=get(|p| Fen(p.amount_fen).plain()) required=true maxlength=20 input_mode="decimal"/>
                <TextField label="收款单位" name="payee" errors value=payee required=true maxlength=100 hint="默认为中标施工单位"/>
                <TextField label="凭证号" name="voucher_no" errors value=get(|p| p.voucher_no.clone()) required=true maxlength=60 hint="国库支付凭证或记账凭证号"/>
                <TextField label="其中人工费（元）" name="labour" errors value=labour maxlength=20 input_mode="decimal" hint="拨入农民工工资专用账户的部分，可为 0"/>
                <TextField label="计量周期起" name="period_from" errors value=get(|p| p.period_from.clone().unwrap_or_default()) input_type="date" hint="进度款必填"/>
                <TextField label="计量周期止" name="period_to" errors value=get(|p| p.period_to.clone().unwrap_or_default()) input_type="date"/>
                <TextField label="已完成工程价款（元）" name="work_value" errors value=payment.as_ref().map(|p| money(p.work_value_fen)).unwrap_or_default() maxlength=20 input_mode="decimal"
                    hint="进度款必填：截至本期经监理、建设单位确认的累计完成产值"/>
                <TextField label="结算审定价（元）" name="settlement" errors value=payment.as_ref().map(|p| money(p.settlement_fen)).unwrap_or_default() maxlength=20 input_mode="decimal"
                    hint="结算款必填"/>
            </div>
            <TextArea label="备注" name="remarks" errors value=get(|p| p.remarks.clone().unwrap_or_default()) maxlength=500 rows=2/>
            {submitted.then(|| view! {
                <TextField label="更正原因" name="reason" errors required=true maxlength=200 hint="已登记的拨付修改为更正，原因记入变更记录"/>
            })}
            <div class="form-actions">
                <SubmitButton label=if submitted { "保存更正" } else if id == 0 { "保存草稿" } else { "保存" } pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn PaymentPage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SavePayment>::new();
    let payment = Resource::new(move || id.get(), get_payment);
    view! {
        <Title text="资金拨付 · 标后履约监管"/>
        <PageHeader title="资金拨付">
            <a class="btn" href="/payments">"返回列表"</a>
        </PageHeader>
        <RecordNotice/>
        <Loaded resource=payment children={move |p: Payment| {
            let through = p.prior_fen + p.amount_fen;
            let revised = p.figures.revised_fen();
            view! {
                <section class="card summary">
                    <div class="summary-head">
                        <h2>{label_of(&PAYMENT_KINDS, &p.kind)} " · " {p.paid_on.clone()}</h2>
                        <div>{status_badge(p.status)} {flag_badges(p.flags.clone())}</div>
                    </div>
                    <div class="stats">
                        <div class="stat stat-key"><strong class="num">{Fen(p.amount_fen).wan()}</strong><span>"本次（万元）"</span></div>
                        <div class="stat"><strong class="num">{Fen(p.prior_fen).wan()}</strong><span>"此前累计（万元）"</span></div>
                        <div class="stat"><strong class="num">{Fen(through).wan()}</strong><span>"含本次累计（万元）"</span></div>
                        <div class="stat"><strong class="num">{format!("{:.1}%", crate::domain::records::pct(through, revised))}</strong><span>"占修订后合同价"</span></div>
                    </div>
                    <dl class="facts">
                        <dt>"项目"</dt><dd><a href=format!("/payments?filing_id={}", p.filing_id)>{p.project.clone()}</a></dd>
                        <dt>"收款单位"</dt><dd>{p.payee.clone()}</dd>
                        <dt>"凭证号"</dt><dd>{p.voucher_no.clone()}</dd>
                        <dt>"金额"</dt><dd>{Fen(p.amount_fen).yuan()} " 元，其中人工费 " {Fen(p.labour_fen).yuan()} " 元"</dd>
                        {p.period_from.clone().map(|f| view! { <dt>"计量周期"</dt><dd>{f} " 至 " {p.period_to.clone().unwrap_or_default()}</dd> })}
                        {p.work_value_fen.map(|w| view! { <dt>"已完成工程价款"</dt><dd>{Fen(w).yuan()} " 元"</dd> })}
                        {p.settlement_fen.map(|w| view! { <dt>"结算审定价"</dt><dd>{Fen(w).yuan()} " 元"</dd> })}
                        {p.remarks.clone().map(|r| view! { <dt>"备注"</dt><dd class="pre">{r}</dd> })}
                        {p.void_reason.clone().map(|r| view! { <dt>"作废原因"</dt><dd class="bad">{r}</dd> })}
                    </dl>
                </section>
                {p.editable.then(|| view! {
                    <section class="card">
                        <h2>{if p.status == RecordStatus::Submitted { "更正" } else { "编辑草稿" }}</h2>
                        <PaymentForm action=save payment=Some(p.clone())/>
                    </section>
                })}
                <RecordFiles entity="payment" id=p.id files=p.files.clone() kinds=&PAYMENT_FILE_KINDS status=p.status editable=p.editable/>
                {p.editable.then(|| view! {
                    <RecordActions entity="payment" id=p.id version=p.version status=p.status required="支付凭证" has_required=p.has_voucher()/>
                })}
                <FiguresCard figures=p.figures.clone()/>
            }
        }}/>
        <ChangeHistory entity="payment" id/>
    }
}
