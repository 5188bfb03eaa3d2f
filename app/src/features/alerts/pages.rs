use super::{PARAM_FIELDS, ParamView, RuleView, SaveRule, list_rules};
use crate::{
    domain::Role,
    features::shell::ForRole,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton},
        layout::PageHeader,
        status::Loaded,
        table::text_param,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

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
                "规则每小时按当日评估一次，合同备案、变更、拨付保存后也立即评估。阈值与开关由系统管理员设置，修改记入操作留痕；停用的规则不再产生新预警，已有预警保留。"
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
    let form_code = code.clone();
    let anchor = format!("rule-{code}");
    view! {
        <section class="card rule-card" id=anchor>
            <header class="rule-head">
                <h2>{rule.name}</h2>
                <span class="badge badge-warn">{rule.severity}</span>
                {state}
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
                <RuleForm action code=form_code.clone() version enabled params=params.clone()/>
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
