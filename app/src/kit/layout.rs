//! The app shell: top bar, left navigation, and the content outlet. Pages
//! inside it can rely on a logged-in [`CurrentUser`] in context.
use crate::{
    domain::Role,
    error::AppError,
    features::auth::{CurrentUser, Logout, fetch_current_user},
    kit::status::ErrorView,
};
use leptos::prelude::*;
use leptos_router::{
    components::{A, Outlet, Redirect},
    hooks::use_location,
};

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

#[component]
pub fn AppShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| fetch_current_user());
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! { <Frame user/> }.into_any(),
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Frame(user: CurrentUser) -> impl IntoView {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let must_change = user.must_change_password;
    provide_context(user.clone());
    let nav = NAV
        .iter()
        .filter(|i| i.roles.contains(&user.role))
        .map(|i| view! { <li><A href=i.href exact=true>{i.label}</A></li> })
        .collect_view();
    let forced = move || must_change && location.pathname.get() != "/account/password";
    view! {
        <div class="app">
            <header class="topbar">
                <label for="nav-toggle" class="nav-toggle-btn" aria-label="菜单">"☰"</label>
                <a class="brand" href="/">"标后履约监管"</a>
                <div class="whoami">
                    <span class="who-name">{user.display_name.clone()}</span>
                    <span class="who-unit">{user.unit_name.clone()} " · " {user.role.label()}</span>
                </div>
                <ActionForm action=logout attr:class="logout">
                    <button type="submit" class="btn btn-ghost" disabled=move || logout.pending().get()>"退出"</button>
                </ActionForm>
            </header>
            <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true"/>
            <nav class="sidenav" aria-label="主导航">
                <ul>{nav}</ul>
            </nav>
            <main class="content">
                <Show when=forced fallback=|| view! { <Outlet/> }>
                    <Redirect path="/account/password"/>
                </Show>
            </main>
        </div>
    }
}

/// The logged-in user (inside the shell).
pub fn use_user() -> Option<CurrentUser> {
    use_context::<CurrentUser>()
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
