use super::{CreateUnit, Unit, UpdateUnit, get_unit, list_units};
use crate::{
    domain::{Role, SECTORS, UnitKind, sector_label},
    features::audit::ChangeHistory,
    features::shell::ForRole,
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextField, successes},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterBar, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn kind_options() -> Vec<(String, String)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), k.label().to_string()))
        .collect()
}

fn sector_options() -> Vec<(String, String)> {
    SECTORS
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect()
}

#[component]
pub fn UnitsPage() -> impl IntoView {
    let (q, kind, page) = (text_param("q"), text_param("kind"), page_param());
    let units = Resource::new(
        move || (q.get(), kind.get(), page.get()),
        |(q, k, p)| list_units(q, k, p),
    );
    view! {
        <Title text="单位管理 · 标后履约监管"/>
        <PageHeader title="单位管理">
            // Only administrators see the page's tools; others get the 403 below.
            <ForRole roles=&[Role::Admin]>
                <a class="btn btn-primary" href="/admin/units/new">"新增单位"</a>
            </ForRole>
        </PageHeader>
        <ForRole roles=&[Role::Admin]><FilterBar placeholder="单位名称或信用代码" select="kind" select_label="单位类型" options=kind_options() all_label="全部类型" export="/export/units.xlsx"/></ForRole>
        <Loaded resource=units children={|page: crate::kit::table::Page<Unit>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["单位名称", "类型", "统一社会信用代码", "行业", "用户数", "操作"]
                    rows=page.items
                    row=|u: Unit| vec![
                        view! { <a href=format!("/admin/units/{}", u.id)>{u.name}</a> }.into_any(),
                        u.kind.label().into_any(),
                        view! { <code>{u.credit_code}</code> }.into_any(),
                        u.sector.as_deref().map(sector_label).unwrap_or("—").into_any(),
                        u.user_count.into_any(),
                        view! { <a href=format!("/admin/units/{}", u.id)>"编辑"</a> }.into_any(),
                    ]
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// The unit fields, shared by the new and edit forms.
#[component]
fn UnitFields(errors: FormErrors, #[prop(optional)] unit: Option<Unit>) -> impl IntoView {
    let u = unit.unwrap_or(Unit {
        id: 0,
        kind: UnitKind::Owner,
        name: String::new(),
        credit_code: String::new(),
        sector: None,
        user_count: 0,
        updated_at: 0,
    });
    view! {
        <FormAlert errors/>
        <SelectField label="单位类型" name="kind" errors options=kind_options() value=u.kind.code() required=true/>
        <TextField label="单位名称" name="name" errors value=u.name required=true maxlength=60/>
        <TextField label="统一社会信用代码" name="credit_code" errors value=u.credit_code required=true maxlength=18
            hint="18 位，按 GB 32100 校验" autocomplete="off"/>
        <SelectField label="所管行业" name="sector" errors options=sector_options() value=u.sector.unwrap_or_default()
            placeholder="（仅行业主管部门填写）" hint="行业主管部门必填"/>
    }
}

#[component]
pub fn UnitNewPage() -> impl IntoView {
    let action = ServerAction::<CreateUnit>::new();
    let errors = FormErrors::of(action);
    view! {
        <Title text="新增单位 · 标后履约监管"/>
        <PageHeader title="新增单位"/>
        <ForRole roles=&[Role::Admin] forbidden=true>
        <section class="card">
            <ActionForm action attr:class="form" attr:novalidate=true>
                <UnitFields errors/>
                <div class="form-actions">
                    <SubmitButton label="保存" pending=action.pending()/>
                    <a class="btn" href="/admin/units">"取消"</a>
                </div>
            </ActionForm>
        </section>
        </ForRole>
    }
}

#[component]
pub fn UnitEditPage() -> impl IntoView {
    let id = id_param();
    let action = ServerAction::<UpdateUnit>::new();
    // Reloaded after each save, so the history shows the new entry.
    let version = successes(action);
    let unit = Resource::new(move || (id.get(), version.get()), |(id, _)| get_unit(id));
    let saved = text_param("saved");
    view! {
        <Title text="编辑单位 · 标后履约监管"/>
        <PageHeader title="编辑单位">
            <a class="btn" href="/admin/units">"返回列表"</a>
        </PageHeader>
        <Show when=move || saved.get() == "1">
            <div class="alert alert-ok" role="status">"已保存"</div>
        </Show>
        <Loaded resource=unit children={move |u: Unit| {
            let errors = FormErrors::of(action);
            let id = u.id;

            view! {
                <section class="card">
                    <ActionForm action attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="id" value=id/>
                        <UnitFields errors unit=u/>
                        <div class="form-actions">
                            <SubmitButton label="保存修改" pending=action.pending()/>
                        </div>
                    </ActionForm>
                </section>
            }
        }}/>
        <ChangeHistory entity="unit" id version/>
    }
}
