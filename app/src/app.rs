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
    ChooseView, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The pages loaded on demand. With `cargo leptos build --split` each group
/// (one feature's pages) is a wasm module fetched when one of its pages is
/// first opened, so pages do not grow the first load (the login page, the
/// home page and the shell).
///
/// One `Page` type serves every such route: the router's matching and
/// view-choosing code is generic over a route's view type, and a type per
/// page (`Lazy<T>` of `#[lazy_route]`) put a copy of it per page in the first
/// load (about 70 KB before wasm-opt). A module per feature rather than per
/// page leaves fewer shared chunks (558 files instead of 804) and halves the
/// split loader that the first load carries (docs/benchmarks.md).
macro_rules! pages {
    ($( $module:ident { $( $variant:ident => $page:ident ),+ } )+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Page { $($($variant,)+)+ }

        #[allow(non_snake_case)]
        mod split {
            use super::*;
            $($(
                pub mod $variant {
                    use super::*;
                    #[::leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, preload(preload))]
                    pub fn $variant() -> AnyView {
                        // The page is interactive only once its module has hydrated.
                        Effect::new(|_| mark_hydrated(Some(stringify!($page))));
                        view! { <$page/> }.into_any()
                    }
                }
            )+)+
        }

        impl ChooseView for Page {
            async fn choose(self) -> AnyView {
                match self {
                    $($(Page::$variant => {
                        // The server names the module so that the page links it for preloading.
                        #[cfg(feature = "ssr")]
                        leptos::prefetch_lazy_fn_on_server(stringify!($module));
                        split::$variant::$variant().await
                    })+)+
                }
            }

            async fn preload(&self) {
                match self {
                    $($(Page::$variant => split::$variant::preload().await,)+)+
                }
            }
        }
    };
}

pages! {
    page_account { ChangePassword => ChangePasswordPage, TwoFactor => TwoFactorPage }
    page_units { Units => UnitsPage, UnitNew => UnitNewPage, UnitEdit => UnitEditPage }
    page_users { Users => UsersPage, UserNew => UserNewPage, UserEdit => UserEditPage }
    page_audit { Audit => AuditPage, Heads => HeadsPage }
    page_awards { Awards => AwardsPage, AwardCorrect => AwardCorrectPage, AwardImport => AwardImportPage, ImportReport => ImportReportPage, ApiTokens => ApiTokensPage }
    page_checkin { Checkin => CheckinPage }
    page_attendance { Attendance => AttendancePage }
    page_areas { Areas => AreasPage }
    page_alerts { Alerts => AlertsPage, Rules => RulesPage }
    page_orders { Orders => OrdersPage, OrderNew => OrderNewPage, Order => OrderPage }
    page_filings { Filings => FilingsPage, Filing => FilingPage, BackEntry => BackEntryPage }
    page_changes { Changes => ChangesPage, ChangeNew => ChangeNewPage, Change => ChangePage }
    page_payments { Payments => PaymentsPage, PaymentNew => PaymentNewPage, Payment => PaymentPage }
    page_progress { Progress => ProgressPage, ProgressMonth => ProgressMonthPage }
    page_progress_project { ProgressProject => ProgressProjectPage }
    page_personnel { Personnel => PersonnelPage, PersonnelNew => PersonnelNewPage, PersonnelChange => PersonnelChangePage }
    page_evaluations { Evaluations => EvaluationsPage, Evaluation => EvaluationPage, EvaluationForm => EvaluationFormPage }
    page_contractors { Contractors => ContractorsPage, Contractor => ContractorPage }
    page_county_map { CountyMap => CountyMapPage }
    page_dossier { Dossier => DossierPage }
    page_compliance { Compliance => CompliancePage, Notice => NoticePage }
    page_dashboards { ProgressDashboard => ProgressDashboardPage, PaymentsDashboard => PaymentsDashboardPage, AlertsDashboard => AlertsDashboardPage, AttendanceDashboard => AttendanceDashboardPage }
}

/// Marks `<body data-hydrated>` once hydrated, and `data-page` with a lazy
/// page's component: browser tests wait for it before clicking (a click
/// before hydration is a plain form post).
fn mark_hydrated(_page: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("hydrated", "true");
        if let Some(page) = _page {
            let _ = body.dataset().set("page", page);
        }
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
    Effect::new(|_| mark_hydrated(None));
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
                    <Route path=path!("account/password") view=Page::ChangePassword ssr=SsrMode::Async/>
                    <Route path=path!("account/two-factor") view=Page::TwoFactor ssr=SsrMode::Async/>
                    <Route path=path!("admin/units") view=Page::Units ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/new") view=Page::UnitNew ssr=SsrMode::Async/>
                    <Route path=path!("admin/units/:id") view=Page::UnitEdit ssr=SsrMode::Async/>
                    <Route path=path!("admin/users") view=Page::Users ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/new") view=Page::UserNew ssr=SsrMode::Async/>
                    <Route path=path!("admin/users/:id") view=Page::UserEdit ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=Page::Audit ssr=SsrMode::Async/>
                    <Route path=path!("audit/heads") view=Page::Heads ssr=SsrMode::Async/>
                    <Route path=path!("admin/api-tokens") view=Page::ApiTokens ssr=SsrMode::Async/>
                    <Route path=path!("awards") view=Page::Awards ssr=SsrMode::Async/>
                    <Route path=path!("checkin") view=Page::Checkin ssr=SsrMode::Async/>
                    <Route path=path!("attendance") view=Page::Attendance ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view=Page::Alerts ssr=SsrMode::Async/>
                    <Route path=path!("admin/rules") view=Page::Rules ssr=SsrMode::Async/>
                    <Route path=path!("orders") view=Page::Orders ssr=SsrMode::Async/>
                    <Route path=path!("orders/new") view=Page::OrderNew ssr=SsrMode::Async/>
                    <Route path=path!("orders/:id") view=Page::Order ssr=SsrMode::Async/>
                    <Route path=path!("awards/import") view=Page::AwardImport ssr=SsrMode::Async/>
                    <Route path=path!("awards/:id/correct") view=Page::AwardCorrect ssr=SsrMode::Async/>
                    <Route path=path!("awards/imports/:id") view=Page::ImportReport ssr=SsrMode::Async/>
                    <Route path=path!("filings") view=Page::Filings ssr=SsrMode::Async/>
                    <Route path=path!("filings/back-entry") view=Page::BackEntry ssr=SsrMode::Async/>
                    <Route path=path!("filings/:id") view=Page::Filing ssr=SsrMode::Async/>
                    <Route path=path!("filings/:id/areas") view=Page::Areas ssr=SsrMode::Async/>
                    <Route path=path!("changes") view=Page::Changes ssr=SsrMode::Async/>
                    <Route path=path!("changes/new") view=Page::ChangeNew ssr=SsrMode::Async/>
                    <Route path=path!("changes/:id") view=Page::Change ssr=SsrMode::Async/>
                    <Route path=path!("payments") view=Page::Payments ssr=SsrMode::Async/>
                    <Route path=path!("payments/new") view=Page::PaymentNew ssr=SsrMode::Async/>
                    <Route path=path!("payments/:id") view=Page::Payment ssr=SsrMode::Async/>
                    <Route path=path!("personnel") view=Page::Personnel ssr=SsrMode::Async/>
                    <Route path=path!("personnel/new") view=Page::PersonnelNew ssr=SsrMode::Async/>
                    <Route path=path!("personnel/:id") view=Page::PersonnelChange ssr=SsrMode::Async/>
                    <Route path=path!("evaluations") view=Page::Evaluations ssr=SsrMode::Async/>
                    <Route path=path!("evaluations/:id") view=Page::Evaluation ssr=SsrMode::Async/>
                    <Route path=path!("admin/evaluation-form") view=Page::EvaluationForm ssr=SsrMode::Async/>
                    <Route path=path!("contractors") view=Page::Contractors ssr=SsrMode::Async/>
                    <Route path=path!("projects/:id") view=Page::Dossier ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/progress") view=Page::ProgressDashboard ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/payments") view=Page::PaymentsDashboard ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/alerts") view=Page::AlertsDashboard ssr=SsrMode::Async/>
                    <Route path=path!("dashboards/attendance") view=Page::AttendanceDashboard ssr=SsrMode::Async/>
                    <Route path=path!("compliance") view=Page::Compliance ssr=SsrMode::Async/>
                    <Route path=path!("compliance/notice") view=Page::Notice ssr=SsrMode::Async/>
                    <Route path=path!("map") view=Page::CountyMap ssr=SsrMode::Async/>
                    <Route path=path!("contractors/:id") view=Page::Contractor ssr=SsrMode::Async/>
                    <Route path=path!("progress") view=Page::Progress ssr=SsrMode::Async/>
                    <Route path=path!("progress/:id") view=Page::ProgressProject ssr=SsrMode::Async/>
                    <Route path=path!("progress/months/:id") view=Page::ProgressMonth ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
