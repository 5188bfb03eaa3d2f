//! The HTML shell and the routes.
use crate::{
    features::shell::AppShell,
    features::{
        alerts::{AlertsPage, RulesPage},
        attendance::{AreasPage, AttendancePage, CheckinPage},
        audit::{AuditPage, HeadsPage},
        auth::{ActivatePage, ChangePasswordPage, LoginCodePage, LoginPage, TwoFactorPage},
        awards::{ApiTokensPage, AwardCorrectPage, AwardImportPage, AwardsPage, ImportReportPage},
        changes::{ChangeNewPage, ChangePage, ChangesPage},
        compliance::{CompliancePage, NoticePage},
        contractors::{ContractorPage, ContractorsPage},
        county_map::CountyMapPage,
        dashboards::{
            AlertsDashboardPage, AttendanceDashboardPage, PaymentsDashboardPage,
            ProgressDashboardPage,
        },
        dossier::DossierPage,
        evaluations::{EvaluationFormPage, EvaluationPage, EvaluationsPage},
        filings::{BackEntryPage, FilingPage, FilingsPage},
        home::HomePage,
        orders::{OrderNewPage, OrderPage, OrdersPage},
        payments::{PaymentNewPage, PaymentPage, PaymentsPage},
        personnel::{PersonnelChangePage, PersonnelNewPage, PersonnelPage},
        progress::{ProgressMonthPage, ProgressPage, ProgressProjectPage},
        units::{UnitEditPage, UnitNewPage, UnitsPage},
        users::{UserEditPage, UserNewPage, UsersPage},
    },
    kit::status::NotFound,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    lazy_route, path,
};

/// A page loaded on demand: with `cargo leptos build --split` its code is a
/// separate wasm chunk, so pages (and later modules) do not grow the first
/// load, which is the login page and the shell.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        #[derive(Debug)]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }
            fn view(_this: Self) -> AnyView {
                // The page is interactive only once its chunk has hydrated.
                Effect::new(|_| mark_hydrated(stringify!($page)));
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(ChangePasswordRoute, ChangePasswordPage);
lazy_page!(UnitsRoute, UnitsPage);
lazy_page!(UnitNewRoute, UnitNewPage);
lazy_page!(UnitEditRoute, UnitEditPage);
lazy_page!(UsersRoute, UsersPage);
lazy_page!(UserNewRoute, UserNewPage);
lazy_page!(UserEditRoute, UserEditPage);
lazy_page!(AuditRoute, AuditPage);
lazy_page!(AwardCorrectRoute, AwardCorrectPage);
lazy_page!(TwoFactorRoute, TwoFactorPage);
lazy_page!(HeadsRoute, HeadsPage);
lazy_page!(AwardsRoute, AwardsPage);
lazy_page!(CheckinRoute, CheckinPage);
lazy_page!(AttendanceRoute, AttendancePage);
lazy_page!(AlertsRoute, AlertsPage);
lazy_page!(RulesRoute, RulesPage);
lazy_page!(OrdersRoute, OrdersPage);
lazy_page!(OrderNewRoute, OrderNewPage);
lazy_page!(OrderRoute, OrderPage);
lazy_page!(AreasRoute, AreasPage);
lazy_page!(AwardImportRoute, AwardImportPage);
lazy_page!(ImportReportRoute, ImportReportPage);
lazy_page!(ApiTokensRoute, ApiTokensPage);
lazy_page!(FilingsRoute, FilingsPage);
lazy_page!(FilingRoute, FilingPage);
lazy_page!(BackEntryRoute, BackEntryPage);
lazy_page!(ChangesRoute, ChangesPage);
lazy_page!(ChangeNewRoute, ChangeNewPage);
lazy_page!(ChangeRoute, ChangePage);
lazy_page!(PaymentsRoute, PaymentsPage);
lazy_page!(PaymentNewRoute, PaymentNewPage);
lazy_page!(PaymentRoute, PaymentPage);
lazy_page!(ProgressRoute, ProgressPage);
lazy_page!(PersonnelRoute, PersonnelPage);
lazy_page!(PersonnelNewRoute, PersonnelNewPage);
lazy_page!(PersonnelChangeRoute, PersonnelChangePage);
lazy_page!(EvaluationsRoute, EvaluationsPage);
lazy_page!(EvaluationRoute, EvaluationPage);
lazy_page!(EvaluationFormRoute, EvaluationFormPage);
lazy_page!(ContractorsRoute, ContractorsPage);
lazy_page!(ContractorRoute, ContractorPage);
lazy_page!(CountyMapRoute, CountyMapPage);
lazy_page!(DossierRoute, DossierPage);
lazy_page!(ComplianceRoute, CompliancePage);
lazy_page!(NoticeRoute, NoticePage);
lazy_page!(ProgressDashboardRoute, ProgressDashboardPage);
lazy_page!(PaymentsDashboardRoute, PaymentsDashboardPage);
lazy_page!(AlertsDashboardRoute, AlertsDashboardPage);
lazy_page!(AttendanceDashboardRoute, AttendanceDashboardPage);
lazy_page!(ProgressProjectRoute, ProgressProjectPage);
lazy_page!(ProgressMonthRoute, ProgressMonthPage);

/// Marks `<body data-hydrated data-page>` once hydrated: browser tests wait
/// for it before clicking (a click before hydration is a plain form post).
fn mark_hydrated(_what: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("hydrated", "true");
        let _ = body.dataset().set("page", _what);
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::platform::security::set_page_policy();
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
                <Route path=path!("/login/code") view=LoginCodePage ssr=SsrMode::Async/>
                <Route path=path!("/activate") view=ActivatePage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("account/password") view={Lazy::<ChangePasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account/two-factor") view={Lazy::<TwoFactorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/units") view={Lazy::<UnitsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/new") view={Lazy::<UnitNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/:id") view={Lazy::<UnitEditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/new") view={Lazy::<UserNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/:id") view={Lazy::<UserEditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("audit/heads") view={Lazy::<HeadsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/api-tokens") view={Lazy::<ApiTokensRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("awards") view={Lazy::<AwardsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("checkin") view={Lazy::<CheckinRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("attendance") view={Lazy::<AttendanceRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view={Lazy::<AlertsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/rules") view={Lazy::<RulesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("orders") view={Lazy::<OrdersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("orders/new") view={Lazy::<OrderNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("orders/:id") view={Lazy::<OrderRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("awards/import") view={Lazy::<AwardImportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("awards/:id/correct") view={Lazy::<AwardCorrectRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("awards/imports/:id") view={Lazy::<ImportReportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("filings") view={Lazy::<FilingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("filings/back-entry") view={Lazy::<BackEntryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("filings/:id") view={Lazy::<FilingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("filings/:id/areas") view={Lazy::<AreasRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("changes") view={Lazy::<ChangesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("changes/new") view={Lazy::<ChangeNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("changes/:id") view={Lazy::<ChangeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("payments") view={Lazy::<PaymentsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("payments/new") view={Lazy::<PaymentNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("payments/:id") view={Lazy::<PaymentRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("personnel") view={Lazy::<PersonnelRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("personnel/new") view={Lazy::<PersonnelNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("personnel/:id") view={Lazy::<PersonnelChangeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("evaluations") view={Lazy::<EvaluationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("evaluations/:id") view={Lazy::<EvaluationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/evaluation-form") view={Lazy::<EvaluationFormRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contractors") view={Lazy::<ContractorsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("projects/:id") view={Lazy::<DossierRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/progress") view={Lazy::<ProgressDashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/payments") view={Lazy::<PaymentsDashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/alerts") view={Lazy::<AlertsDashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/attendance") view={Lazy::<AttendanceDashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("compliance") view={Lazy::<ComplianceRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("compliance/notice") view={Lazy::<NoticeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("map") view={Lazy::<CountyMapRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contractors/:id") view={Lazy::<ContractorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("progress") view={Lazy::<ProgressRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("progress/:id") view={Lazy::<ProgressProjectRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("progress/months/:id") view={Lazy::<ProgressMonthRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
