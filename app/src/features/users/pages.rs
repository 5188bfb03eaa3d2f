use super::{CreateUser, ResetPassword, SetUserDisabled, UpdateUser, User, get_user, list_users};
use crate::{
    domain::{Mobile, Role},
    error::AppError,
    features::audit::ChangeHistory,
    features::shell::ForRole,
    features::units::{UnitOption, unit_options},
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextField, successes},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect()
}

fn status_badge(u: &User) -> AnyView {
    let (class, text) = if u.disabled {
        ("badge badge-off", "已停用")
    } else if u.locked {
        ("badge badge-warn", "已锁定")
    } else {
        ("badge badge-ok", "正常")
    };
    view! { <span class=class>{text}</span> }.into_any()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let (q, role, page) = (text_param("q"), text_param("role"), page_param());
    let users = Resource::new(
        move || (q.get(), role.get(), page.get()),
        |(q, r, p)| list_users(q, r, p),
    );
    view! {
        <Title text="用户管理 · 标后履约监管"/>
        <PageHeader title="用户管理">
            // Only administrators see the page's tools; others get the 403 below.
            <ForRole roles=&[Role::SecurityAdmin]>
                <a class="btn btn-primary" href="/admin/users/new">"新增用户"</a>
            </ForRole>
        </PageHeader>
        <ForRole roles=&[Role::SecurityAdmin]><FilterBar placeholder="用户名、姓名、手机号或单位" select="role" select_label="角色" options=role_options() all_label="全部角色" export="/export/users.xlsx"/></ForRole>
        <Loaded resource=users children={|page: Page<User>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["用户名", "姓名", "手机号码", "角色", "所属单位", "状态", "操作"]
                    rows=page.items
                    row=|u: User| {
                        let badge = status_badge(&u);
                        let masked = Mobile::parse(&u.mobile).map(|m| m.masked()).unwrap_or_default();
                        vec![
                            view! { <a href=format!("/admin/users/{}", u.id)>{u.username}</a> }.into_any(),
                            u.display_name.into_any(),
                            masked.into_any(),
                            u.role.label().into_any(),
                            u.unit_name.into_any(),
                            badge,
                            view! { <a href=format!("/admin/users/{}", u.id)>"编辑"</a> }.into_any(),
                        ]
                    }
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// The fields an administrator edits, shared by the new and edit forms.
#[component]
fn UserFields(
    errors: FormErrors,
    units: Vec<UnitOption>,
    #[prop(optional)] user: Option<User>,
) -> impl IntoView {
    let unit_opts = units
        .into_iter()
        .map(|u| {
            (
                u.id.to_string(),
                format!("{}（{}）", u.name, u.kind.label()),
            )
        })
        .collect();
    let (name, mobile, role, unit) = match user {
        Some(u) => (
            u.display_name,
            u.mobile,
            u.role.code().to_string(),
            u.unit_id.to_string(),
        ),
        None => Default::default(),
    };
    view! {
        <TextField label="姓名" name="display_name" errors value=name required=true maxlength=20/>
        <TextField label="手机号码" name="mobile" input_type="tel" errors value=mobile required=true maxlength=20 autocomplete="off"/>
        <SelectField label="角色" name="role" errors options=role_options() value=role required=true placeholder="请选择"/>
        <SelectField label="所属单位" name="unit_id" errors options=unit_opts value=unit required=true placeholder="请选择"
            hint="管理员属县资管办；监管人员属县资管办或行业主管部门；经办人属建设单位；关键人员属施工单位"/>
    }
}

#[component]
pub fn UserNewPage() -> impl IntoView {
    let action = ServerAction::<CreateUser>::new();
    let errors = FormErrors::of(action);
    let units = Resource::new(|| (), |_| unit_options());
    view! {
        <Title text="新增用户 · 标后履约监管"/>
        <PageHeader title="新增用户"/>
        <section class="card">
            <Loaded resource=units children={move |units: Vec<UnitOption>| view! {
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <TextField label="用户名" name="username" errors required=true maxlength=32 autocomplete="off"
                        hint="3–32 位小写字母、数字、下划线或点，登录用"/>
                    <UserFields errors units/>
                    <TextField label="初始密码" name="password" input_type="password" errors required=true maxlength=64 autocomplete="new-password"
                        hint="用户首次登录后须自行修改"/>
                    <div class="form-actions">
                        <SubmitButton label="保存" pending=action.pending()/>
                        <a class="btn" href="/admin/users">"取消"</a>
                    </div>
                </ActionForm>
            }}/>
        </section>
    }
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    let id = id_param();
    let update = ServerAction::<UpdateUser>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let toggle = ServerAction::<SetUserDisabled>::new();
    // Reloaded after each successful save (a failed one keeps the typed values).
    let (s1, s2, s3) = (successes(update), successes(reset), successes(toggle));
    let version = Memo::new(move |_| s1.get() + s2.get() + s3.get());
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move { Ok::<_, AppError>((get_user(id).await?, unit_options().await?)) },
    );
    let (saved, was_reset) = (text_param("saved"), text_param("reset"));
    view! {
        <Title text="编辑用户 · 标后履约监管"/>
        <PageHeader title="编辑用户">
            <a class="btn" href="/admin/users">"返回列表"</a>
        </PageHeader>
        <Show when=move || saved.get() == "1">
            <div class="alert alert-ok" role="status">"已保存"</div>
        </Show>
        <Show when=move || was_reset.get() == "1">
            <div class="alert alert-ok" role="status">"密码已重置，用户下次登录须修改密码"</div>
        </Show>
        <Loaded resource=data children={move |(u, units): (User, Vec<UnitOption>)| {
            let (errors, reset_errors, toggle_errors) = (FormErrors::of(update), FormErrors::of(reset), FormErrors::of(toggle));
            let id = u.id;
            let disabled = u.disabled;
            let badge = status_badge(&u);
            view! {
                <section class="card">
                    <h2>{u.username.clone()} " " {badge}</h2>
                    <ActionForm action=update attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="id" value=id/>
                        <FormAlert errors/>
                        <UserFields errors units user=u/>
                        <div class="form-actions">
                            <SubmitButton label="保存修改" pending=update.pending()/>
                        </div>
                    </ActionForm>
                </section>
                <div class="grid-2">
                    <section class="card">
                        <h2>"重置密码"</h2>
                        <ActionForm action=reset attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="id" value=id/>
                            <TextField label="临时密码" name="password" input_type="password" errors=reset_errors required=true maxlength=64
                                autocomplete="new-password" hint="同时解除锁定、清除两步验证（用户须重新绑定验证器）；用户的已登录会话全部失效"/>
                            <SubmitButton label="重置密码" pending=reset.pending()/>
                        </ActionForm>
                    </section>
                    <section class="card">
                        <h2>"账户状态"</h2>
                        <ActionForm action=toggle attr:class="form">
                            <FormAlert errors=toggle_errors/>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="disabled" value=if disabled { "false" } else { "true" }/>
                            <p class="muted">{if disabled { "该账户已停用，无法登录。" } else { "停用后该用户立即退出且无法登录，记录保留。" }}</p>
                            <SubmitButton label=if disabled { "启用账户" } else { "停用账户" } pending=toggle.pending() class=if disabled { "" } else { "btn-danger" }/>
                        </ActionForm>
                    </section>
                </div>
            }
        }}/>
        <ChangeHistory entity="user" id version=Signal::derive(move || version.get())/>
    }
}
