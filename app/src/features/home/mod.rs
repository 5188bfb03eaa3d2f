//! The landing page after login.
use crate::error::AppError;
use crate::{
    domain::Role,
    features::auth::CurrentUser,
    features::shell::use_user,
    kit::{layout::PageHeader, status::Loaded, table::text_param},
};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{EVERYONE, NavItem};
    &[NavItem::new(10, "/", "首页", EVERYONE)]
};

/// What waits for the user, counted in their scope (the tiles of the home
/// page until the dashboards come).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    /// Awarded sections without a submitted filing (待备案).
    pub to_file: i64,
    /// Filings still in draft.
    pub drafts: i64,
    /// Filed contracts whose price departs from the award (价格偏离).
    pub price_flags: i64,
    /// Flagged check-ins (the latest 200 at most).
    pub flagged: i64,
    /// Alerts open now.
    pub alerts: i64,
    /// Supervision orders waiting for this side: an owner's answers due
    /// (overdue ones among them), a supervisor's answers to review.
    pub orders: i64,
    pub orders_overdue: i64,
    /// The viewer answers orders (an owner) rather than reviews them.
    pub answers_orders: bool,
    /// Payments with an open alert (超付, 预付款超比例 …).
    pub flagged_payments: i64,
    /// Changes and payments still in draft (their document not yet uploaded
    /// or not submitted).
    pub record_drafts: i64,
}

#[server(endpoint = "home/waiting")]
pub async fn fetch_waiting() -> Result<Waiting, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        use crate::features::{alerts, attendance, awards, changes, filings, orders, payments};
        let of = |status: &str| crate::platform::records::ListFilter::parse("", status, 0);
        let db = &st.db;
        Ok(Waiting {
            to_file: awards::service::list(db, &actor, "", "pending", 1)
                .await?
                .total,
            drafts: filings::service::list(db, &actor, "", "draft", 1)
                .await?
                .total,
            price_flags: filings::service::list(db, &actor, "", "price_flag", 1)
                .await?
                .total,
            flagged: attendance::service::flagged(db, &actor).await?.len() as i64,
            alerts: alerts::service::open_count(db, &actor).await?,
            orders: orders::service::waiting(db, &actor).await?,
            orders_overdue: orders::service::count(
                db,
                &actor,
                &orders::service::OrderFilter::state("overdue"),
            )
            .await?,
            answers_orders: actor.role == crate::domain::Role::Owner,
            flagged_payments: payments::service::list(db, &actor, &of("flagged"), 1)
                .await?
                .total,
            record_drafts: changes::service::list(db, &actor, &of("draft"), 1)
                .await?
                .total
                + payments::service::list(db, &actor, &of("draft"), 1)
                    .await?
                    .total,
        })
    })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let changed = text_param("password_changed");
    let me = use_user()
        .map(|u| u.0)
        .unwrap_or_else(|| Resource::new(|| (), |_| crate::features::auth::fetch_current_user()));
    // Made here, beside the user, not inside its Suspend (would not hydrate);
    // refused (and shown as nothing) for key personnel.
    let waiting = Resource::new(|| (), |_| fetch_waiting());
    view! {
        <Title text="首页 · 标后履约监管"/>
        <PageHeader title="首页"/>
        <Show when=move || changed.get() == "1">
            <div class="alert alert-ok" role="status">"密码已修改"</div>
        </Show>
        <Loaded resource=me children={|u: Option<CurrentUser>| u.map(|u| view! { <Welcome user=u/> })}/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { waiting.await.ok().map(|w| view! { <WaitingTiles w/> }) })}
        </Transition>
        <Loaded resource=me children={|u: Option<CurrentUser>| u.map(|u| view! { <Shortcuts user=u/> })}/>
    }
}

/// 待办: counts with links to the lists that hold them.
#[component]
fn WaitingTiles(w: Waiting) -> impl IntoView {
    let (orders_href, orders_title, orders_text) = if w.answers_orders {
        (
            "/orders?state=issued",
            "督办待反馈",
            "督办部门下发、须在期限内反馈的督办单",
        )
    } else {
        (
            "/orders?state=answered",
            "督办待办结",
            "责任单位已反馈、待审核办结的督办单",
        )
    };
    let items = [
        (
            w.orders_overdue,
            "/orders?state=overdue",
            "督办逾期",
            "超过办理期限仍未反馈的督办单",
        ),
        (w.orders, orders_href, orders_title, orders_text),
        (
            w.to_file,
            "/filings",
            "待备案",
            "中标后尚未提交合同备案的标段",
        ),
        (
            w.drafts,
            "/filings?status=draft",
            "备案草稿",
            "已开始、尚未提交的备案",
        ),
        (
            w.price_flags,
            "/filings?status=price_flag",
            "价格偏离",
            "合同价与中标价偏离超过设定比例",
        ),
        (
            w.flagged,
            "/attendance",
            "存疑打卡",
            "位置合规但有异常迹象，待核查",
        ),
        (w.alerts, "/alerts", "预警", "规则触发的预警"),
        (
            w.flagged_payments,
            "/payments?status=flagged",
            "拨付预警",
            "超付、预付款超比例、进度款不足等",
        ),
        (
            w.record_drafts,
            "/payments?status=draft",
            "变更/拨付草稿",
            "尚未上传文件或尚未提交登记",
        ),
    ];
    view! {
        <section class="card" aria-label="待办">
            <h2>"待办"</h2>
            <div class="tiles waiting">
                {items.into_iter().map(|(n, href, title, text)| view! {
                    <a class="tile" class:tile-quiet={n == 0} href=href>
                        <strong>{title} " " <span class="count">{n}</span></strong>
                        <span>{text}</span>
                    </a>
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn Welcome(user: CurrentUser) -> impl IntoView {
    view! {
        <section class="card welcome">
            <h2>"您好，" {user.display_name}</h2>
            <p>{user.unit_name} " · " {user.role.label()}</p>
        </section>
    }
}

/// The places each role goes to most.
#[component]
fn Shortcuts(user: CurrentUser) -> impl IntoView {
    let tasks: Vec<(&str, &str, &str)> = match user.role {
        Role::Admin => vec![
            (
                "/admin/units",
                "单位管理",
                "登记县资管办、行业主管部门、建设单位和施工单位",
            ),
            (
                "/awards/import",
                "导入中标结果",
                "导入交易平台的中标结果（CSV、Excel）",
            ),
            ("/admin/rules", "预警规则", "设置各项预警规则的阈值"),
        ],
        Role::SecurityAdmin => vec![
            (
                "/admin/users",
                "用户管理",
                "开设账户、分配角色、重置密码、停用账户",
            ),
            ("/account/two-factor", "两步验证", "管理员账户须绑定验证器"),
        ],
        Role::AuditAdmin => vec![
            ("/admin/audit", "留痕审计", "查看全部留痕并校验是否被篡改"),
            ("/audit/heads", "留痕公示", "每日链头：打印、导出、核对"),
        ],
        Role::Contractor => vec![
            (
                "/contractors/0",
                "本单位履约档案",
                "本单位在本县的项目、考评、人员更换与督办",
            ),
            (
                "/evaluations",
                "履约考评",
                "建设单位的考评；对评分有异议可在异议期内提出",
            ),
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
        <div class="tiles shortcuts">
            {tasks.into_iter().map(|(href, title, text)| view! {
                <a class="tile" href=href>
                    <strong>{title}</strong>
                    <span>{text}</span>
                </a>
            }).collect_view()}
        </div>
    }
}
