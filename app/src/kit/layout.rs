//! The app shell: top bar, left navigation, and the content outlet.
//!
//! Who may see a page is decided on the server (the page gate in the server
//! crate redirects visitors to /login; server functions check roles); the shell
//! only shows the user and the navigation their role has. The user's data is
//! read beside the outlet, not around it, so pages hydrate independently.
use crate::{
    domain::Role,
    error::AppError,
    features::auth::{CurrentUser, Logout, fetch_current_user},
};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

/// One entry of the left navigation, shown to the roles listed.
struct NavItem {
    href: &'static str,
    label: &'static str,
    roles: &'static [Role],
}

const ALL: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Owner,
    Role::KeyPersonnel,
];

/// Only what exists is listed; later modules add their entries here.
const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: "首页",
        roles: ALL,
    },
    NavItem {
        href: "/checkin",
        label: "今日打卡",
        roles: &[Role::KeyPersonnel],
    },
    NavItem {
        href: "/filings",
        label: "合同备案",
        roles: &[Role::Admin, Role::Supervisor, Role::Owner],
    },
    NavItem {
        href: "/awards",
        label: "中标项目",
        roles: &[Role::Admin, Role::Supervisor, Role::Owner],
    },
    NavItem {
        href: "/attendance",
        label: "考勤统计",
        roles: &[Role::Admin, Role::Supervisor, Role::Owner],
    },
    NavItem {
        href: "/alerts",
        label: "预警",
        roles: &[Role::Admin, Role::Supervisor, Role::Owner],
    },
    NavItem {
        href: "/filings/back-entry",
        label: "补录统计",
        roles: &[Role::Admin, Role::Supervisor],
    },
    NavItem {
        href: "/admin/units",
        label: "单位管理",
        roles: &[Role::Admin],
    },
    NavItem {
        href: "/admin/users",
        label: "用户管理",
        roles: &[Role::Admin],
    },
    NavItem {
        href: "/admin/audit",
        label: "留痕审计",
        roles: &[Role::Admin],
    },
    NavItem {
        href: "/account/password",
        label: "修改密码",
        roles: ALL,
    },
];

/// The logged-in user, loaded once by the shell and shared with its pages.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

pub fn use_user() -> Option<UserResource> {
    use_context::<UserResource>()
}

#[component]
pub fn AppShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| fetch_current_user());
    provide_context(UserResource(me));
    let logout = ServerAction::<Logout>::new();
    let user = move || async move { me.await.ok().flatten() };
    view! {
        <div class="app">
            <header class="topbar">
                <label for="nav-toggle" class="nav-toggle-btn" aria-label="菜单">"☰"</label>
                <a class="brand" href="/">"标后履约监管"</a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        user().await.map(|u| view! {
                            <div class="whoami">
                                <span class="who-name">{u.display_name}</span>
                                <span class="who-unit">{u.unit_name} " · " {u.role.label()}</span>
                            </div>
                        })
                    })}
                </Transition>
                <ActionForm action=logout attr:class="logout">
                    <button type="submit" class="btn btn-ghost" disabled=move || logout.pending().get()>"退出"</button>
                </ActionForm>
            </header>
            <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true"/>
            <nav class="sidenav" aria-label="主导航">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let role = user().await.map(|u| u.role);
                        view! {
                            <ul>
                                {NAV.iter()
                                    .filter(|i| role.is_some_and(|r| i.roles.contains(&r)))
                                    .map(|i| view! { <li><A href=i.href exact=true>{i.label}</A></li> })
                                    .collect_view()}
                            </ul>
                        }
                    })}
                </Transition>
            </nav>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}

/// Shows `children` only to users holding one of `roles` (a convenience:
/// the server functions behind them check the role themselves).
#[component]
pub fn ForRole(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let me = use_user();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let role = match me {
                        Some(m) => m.0.await.ok().flatten().map(|u| u.role),
                        None => None,
                    };
                    role.filter(|r| roles.contains(r)).map(|_| children())
                })
            }}
        </Transition>
    }
}

/// A page header with a title and optional actions on the right.
#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}
