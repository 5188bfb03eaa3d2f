//! The HTML shell and the routes.
use crate::{
    features::{
        audit::AuditPage,
        auth::{ChangePasswordPage, LoginPage},
        home::HomePage,
        units::{UnitEditPage, UnitNewPage, UnitsPage},
        users::{UserEditPage, UserNewPage, UsersPage},
    },
    kit::{layout::AppShell, status::NotFound},
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Browser tests wait for this mark before clicking.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.dataset().set("hydrated", "true");
        }
    });
    // Async SSR: data is loaded before the first byte, so pages can set their
    // HTTP status (403/404) and redirects work without JavaScript.
    view! {
        <Stylesheet id="leptos" href="/pkg/bhly.css"/>
        <Title text="标后履约监管"/>
        <Router>
            <Routes fallback=|| view! { <main class="bare"><NotFound/></main> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("account/password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/units") view=UnitsPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/new") view=UnitNewPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/:id") view=UnitEditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/new") view=UserNewPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/:id") view=UserEditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=AuditPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
