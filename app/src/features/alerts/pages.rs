use super::{
    AlertList, AlertRow, PARAM_FIELDS, ParamView, RuleView, SEVERITIES, STATES, SaveRule,
    list_alerts, list_rules,
};
use crate::{
    domain::{Role, SECTORS},
    features::shell::ForRole,
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterBar, FilterSelect, Pager, options, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// 预警: what the rules raised in the viewer's scope, open first.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let (q, state, severity) = (text_param("q"), text_param("state"), text_param("severity"));
    let (rule, sector, unit) = (text_param("rule"), text_param("sector"), text_param("unit"));
    let page = page_param();
    let alerts = Resource::new(
        move || {
            (
                q.get(),
                state.get(),
                severity.get(),
                rule.get(),
                sector.get(),
                unit.get(),
                page.get(),
            )
        },
        |(q, st, sev, r, sec, u, p)| list_alerts(q, st, sev, r, sec, u, p),
    );
    view! {
        <Title text="预警 · 标后履约监管"/>
        <PageHeader title="预警">
            <a class="btn" href="/admin/rules">"预警规则"</a>
        </PageHeader>
        <Loaded resource=alerts children={|list: AlertList| {
            let (total, p, pages) = (list.page.total, list.page.page, list.page.pages());
            let may_order = list.may_order;
            view! {
                <AlertFilters rules=list.rules units=list.units/>
                <DataTable
                    columns=vec!["开始日期", "规则", "项目", "建设单位", "内容", "状态", "督办"]
                    rows=list.page.items
                    row=move |a: AlertRow| {
                        let open = a.cleared_on.is_none();
                        let badge = if a.severity == "严重" { "badge badge-bad" } else { "badge badge-warn" };
                        vec![
                        a.started_on.into_any(),
                        view! {
                            {a.rule} " "
                            <span class=badge>{a.severity}</span>
                        }.into_any(),
                        view! {
                            <a href=a.link>{a.project}</a>
                            {a.dossier.map(|id| view! { " " {crate::kit::records::dossier_link(id)} })}
                            {a.filing_id.is_none().then(|| view! { " " <span class="badge badge-warn">"待备案"</span> })}
                        }.into_any(),
                        a.owner.into_any(),
                        view! { <span class:muted=a.cleared_on.is_some()>{a.message}</span> }.into_any(),
                        match a.cleared_on {
                            Some(d) => view! { <span class="badge badge-off">{format!("已消除 {d}")}</span> }.into_any(),
                            None => view! {
                                <span class="badge badge-bad">"未消除"</span>
                                <span class="hint">{format!(" {}", datetime(a.created_at))}</span>
                            }.into_any(),
                        },
                        match (a.order, may_order && open) {
                            (Some((id, no)), _) => view! { <a class="nowrap" href=format!("/orders/{id}")>{no}</a> }.into_any(),
                            (None, true) => {
                                // An order on the project, or on the award before its filing.
                                let target = match a.filing_id {
                                    Some(f) => format!("filing_id={f}"),
                                    None => format!("award_id={}", a.award_id),
                                };
                                view! {
                                    <a class="btn btn-small" href=format!("/orders/new?{target}&alert={}", a.id)>"转督办"</a>
                                }.into_any()
                            }
                            (None, false) => "—".into_any(),
                        },
                    ]}
                    empty="没有符合条件的预警"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// The alert list's filters, as GET parameters (work without JavaScript).
#[component]
fn AlertFilters(rules: Vec<(String, String)>, units: Vec<(String, String)>) -> impl IntoView {
    view! {
        <FilterBar placeholder="项目、单位或内容" select="state" select_label="状态" options=options(&STATES)
            all_label="全部状态" export="/export/alerts.xlsx">
            <FilterSelect name="severity" label="级别" all_label="全部级别" options=options(&SEVERITIES)/>
            <FilterSelect name="rule" label="规则" all_label="全部规则" options=rules/>
            <FilterSelect name="sector" label="行业" all_label="全部行业" options=options(&SECTORS)/>
            {(!units.is_empty()).then(|| view! {
                <FilterSelect name="unit" label="建设单位" all_label="全部建设单位" options=units/>
            })}
        </FilterBar>
    }
}

/// 预警规则: every rule, what it rests on, and its settings.
#[component]
pub fn RulesPage() -> impl IntoView {
    let saved = text_param("saved");
    // Bumped by each card's successful save, so every card reloads with its
    // new version (saving the same rule twice keeps the same URL).
    let reloads = RwSignal::new(0usize);
    let rules = Resource::new(move || (saved.get(), reloads.get()), |_| list_rules());
    view! {
        <Title text="预警规则 · 标后履约监管"/>
        <PageHeader title="预警规则"/>
        <ForRole roles=&[Role::Admin, Role::Supervisor] forbidden=true>
            <p class="hint page-hint">
                "规则每小时按当日评估一次，合同备案、变更、拨付保存后也立即评估。阈值与开关由系统管理员设置，修改记入操作留痕；停用的规则不再产生新预警，已有预警保留。设为自动督办的规则，其未督办的预警由系统按项目自动下发督办单。"
            </p>
            <Loaded resource=rules children={move |rules: Vec<RuleView>| {
                view! {
                    <div class="rule-list">
                        {rules
                            .into_iter()
                            .map(|rule| view! { <RuleCard rule saved reloads/> })
                            .collect_view()}
                    </div>
                }
            }}/>
        </ForRole>
    }
}

#[component]
fn RuleCard(rule: RuleView, saved: Memo<String>, reloads: RwSignal<usize>) -> impl IntoView {
    let action = ServerAction::<SaveRule>::new();
    let value = action.value();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            reloads.update(|n| *n += 1);
        }
    });
    let code = rule.code.clone();
    let just_saved = {
        let code = code.clone();
        move || saved.get() == code
    };
    let state = if rule.enabled {
        view! { <span class="badge badge-ok">"启用"</span> }.into_any()
    } else {
        view! { <span class="badge badge-off">"停用"</span> }.into_any()
    };
    let auto = rule
        .auto_order
        .then(|| view! { <span class="badge badge-bad">"自动督办"</span> });
    let thresholds = if rule.params.is_empty() {
        "无阈值".to_string()
    } else {
        rule.params
            .iter()
            .map(|p| format!("{} {} {}", p.label, p.value, p.unit))
            .collect::<Vec<_>>()
            .join("；")
    };
    let (enabled, version, params) = (rule.enabled, rule.version, rule.params.clone());
    let auto_order = rule.auto_order;
    let form_code = code.clone();
    let severity_class = if rule.severity == "严重" {
        "badge badge-bad"
    } else {
        "badge badge-warn"
    };
    let anchor = format!("rule-{code}");
    view! {
        <section class="card rule-card" id=anchor>
            <header class="rule-head">
                <h2>{rule.name}</h2>
                <span class=severity_class>{rule.severity}</span>
                {state}
                {auto}
                <code class="rule-code">{code.clone()}</code>
            </header>
            <p class="rule-basis"><strong>"依据："</strong>{rule.basis}</p>
            <p class="hint">
                "现行阈值：" {thresholds} "　当前未消除预警 " {rule.open_alerts} " 条"
            </p>
            <Show when=just_saved>
                <div class="alert alert-ok" role="status">"已保存，已按新设置重新评估"</div>
            </Show>
            <ForRole roles=&[Role::Admin]>
                <RuleForm action code=form_code.clone() version enabled auto_order params=params.clone()/>
            </ForRole>
        </section>
    }
}

/// The administrator's form of one rule: the switch and the thresholds.
#[component]
fn RuleForm(
    action: ServerAction<SaveRule>,
    code: String,
    version: i64,
    enabled: bool,
    auto_order: bool,
    params: Vec<ParamView>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let fields = params
        .into_iter()
        .zip(PARAM_FIELDS)
        .map(|(p, name)| view! { <ParamField p name rule=code.clone() errors/> })
        .collect_view();
    view! {
        <ActionForm action attr:class="form rule-form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="code" value=code.clone()/>
            <input type="hidden" name="version" value=version/>
            <label class="check">
                <input type="checkbox" name="enabled" value="on" checked=enabled/>
                " 启用此规则"
            </label>
            <label class="check">
                <input type="checkbox" name="auto_order" value="on" checked=auto_order/>
                " 自动督办（新预警由系统以资源办名义自动下发督办单）"
            </label>
            {fields}
            <div class="form-actions">
                <SubmitButton label="保存" pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

/// One threshold's input, with its unit, range and default.
#[component]
fn ParamField(p: ParamView, name: &'static str, rule: String, errors: FormErrors) -> impl IntoView {
    let error = errors.field(name);
    let value = errors.submitted(name).unwrap_or(p.value);
    let id = format!("f-{rule}-{name}");
    let hint = format!(
        "{}–{} {}，默认 {} {}{}",
        p.min,
        p.max,
        p.unit,
        p.default,
        p.unit,
        if p.integer { "，整数" } else { "" }
    );
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=id.clone()>{p.label} " (" {p.unit} ")"</label>
            <input
                id=id
                name=name
                type="text"
                inputmode=if p.integer { "numeric" } else { "decimal" }
                value=value
                maxlength=14
                required=true
                aria-invalid=move || error().is_some().then_some("true")
            />
            <p class="hint">{hint}</p>
            <p class="field-error" role="alert">{error}</p>
        </div>
    }
}
