//! The app shell: top bar, left navigation (gathered from every feature's
//! `NAV`), and the content outlet.
//!
//! Who may see a page is decided on the server (the page gate in the server
//! crate redirects visitors to /login; server functions check roles); the shell
//! only shows the user and the navigation their role has. The user's data is
//! read beside the outlet, not around it, so pages hydrate independently.
use crate::{
    domain::Role,
    error::AppError,
    features::auth::{CurrentUser, Logout, fetch_current_user},
    kit::{layout::NavItem, status::Forbidden},
};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

/// Every feature's navigation entries, in their order.
fn nav() -> Vec<&'static NavItem> {
    let mut items: Vec<&'static NavItem> = super::NAV.iter().flat_map(|n| n.iter()).collect();
    items.sort_by_key(|i| i.order);
    items
}

/// The logged-in user, loaded once by the shell and shared with its pages.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

pub fn use_user() -> Option<UserResource> {
    use_context::<UserResource>()
}

#[component]
pub fn AppShell() -> impl IntoView {
    // Read again on each navigation: cheap (the actor is cached), and the
    // shell then knows at once when a first password has been replaced.
    let location = leptos_router::hooks::use_location();
    let me = Resource::new(move || location.pathname.get(), |_| fetch_current_user());
    provide_context(UserResource(me));
    let logout = ServerAction::<Logout>::new();
    // The page gate sends a first password to the change form on every full
    // page load; this does the same for navigation inside the app.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let must_change = me
            .get()
            .and_then(|r| r.ok().flatten())
            .is_some_and(|u| u.must_change_password);
        let must_enrol = me
            .get()
            .and_then(|r| r.ok().flatten())
            .is_some_and(|u| u.must_enrol_two_factor);
        let here = location.pathname.get_untracked();
        if must_change && here != "/account/password" {
            navigate("/account/password?first=1", Default::default());
        } else if !must_change && must_enrol && here != "/account/two-factor" {
            navigate("/account/two-factor?first=1", Default::default());
        }
    });
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
                        let (role, counts) = user()
                            .await
                            .map(|u| (Some(u.role), u.nav_counts))
                            .unwrap_or_default();
                        view! {
                            <ul>
                                {nav()
                                    .into_iter()
                                    .filter(|i| role.is_some_and(|r| i.roles.contains(&r)))
                                    .map(|i| {
                                        let count = counts.iter().find(|(h, _)| h == i.href).map(|(_, n)| *n);
                                        view! {
                                            <li><A href=i.href exact=true>
                                                {i.label}
                                                {count.map(|n| view! {
                                                    <span class="nav-count" title=format!("{n} 件待办")>{n}</span>
                                                })}
                                            </A></li>
                                        }
                                    })
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
pub fn ForRole(
    roles: &'static [Role],
    children: ChildrenFn,
    /// Others see the 403 page (with its status) instead of nothing: for a
    /// page that is wholly one role's.
    #[prop(optional)]
    forbidden: bool,
) -> impl IntoView {
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
                    match role {
                        Some(r) if roles.contains(&r) => Some(children().into_any()),
                        _ if forbidden => Some(view! { <Forbidden/> }.into_any()),
                        _ => None,
                    }
                })
            }}
        </Transition>
    }
}
