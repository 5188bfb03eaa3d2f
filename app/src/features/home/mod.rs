//! The landing page after login.
use crate::{
    domain::Role,
    features::auth::CurrentUser,
    features::shell::use_user,
    kit::{layout::PageHeader, status::Loaded, table::text_param},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{EVERYONE, NavItem};

    &[NavItem {
        order: 10,
        href: "/",
        label: "首页",
        roles: EVERYONE,
    }]
};

#[component]
pub fn HomePage() -> impl IntoView {
    let changed = text_param("password_changed");
    let me = use_user()
        .map(|u| u.0)
        .unwrap_or_else(|| Resource::new(|| (), |_| crate::features::auth::fetch_current_user()));
    view! {
        <Title text="首页 · 标后履约监管"/>
        <PageHeader title="首页"/>
        <Show when=move || changed.get() == "1">
            <div class="alert alert-ok" role="status">"密码已修改"</div>
        </Show>
        <Loaded resource=me children={|u: Option<CurrentUser>| u.map(|u| view! { <Welcome user=u/> })}/>
    }
}

#[component]
fn Welcome(user: CurrentUser) -> impl IntoView {
    let tasks: Vec<(&str, &str, &str)> = match user.role {
        Role::Admin => vec![
            (
                "/admin/units",
                "单位管理",
                "登记县资管办、行业主管部门、建设单位和施工单位",
            ),
            ("/admin/users", "用户管理", "开设账户、重置密码、停用账户"),
            ("/admin/audit", "留痕审计", "查看全部留痕并校验是否被篡改"),
        ],
        Role::KeyPersonnel => vec![
            ("/checkin", "今日打卡", "在施工现场用手机定位打卡"),
            (
                "/account/password",
                "修改密码",
                "定期修改密码，保护账户安全",
            ),
        ],
        _ => vec![(
            "/account/password",
            "修改密码",
            "定期修改密码，保护账户安全",
        )],
    };
    view! {
        <section class="card welcome">
            <h2>"您好，" {user.display_name}</h2>
            <p>{user.unit_name} " · " {user.role.label()}</p>
        </section>
        <div class="tiles">
            {tasks.into_iter().map(|(href, title, text)| view! {
                <a class="tile" href=href>
                    <strong>{title}</strong>
                    <span>{text}</span>
                </a>
            }).collect_view()}
        </div>
    }
}
