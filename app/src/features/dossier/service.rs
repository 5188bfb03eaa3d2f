//! The project's file, read through the project core (may the actor read
//! this project?) and then each module's own scoped service; alerts and
//! orders by the project's award in one statement each. The timeline is
//! built from what was read, not queried again.
use super::{Dossier, DossierAlert, DossierOrder, Event};
use crate::{
    domain::{
        Fen, ROSTER_ROLES, RecordStatus, evaluation::Period, label_of, records::PAYMENT_KINDS,
    },
    error::AppError,
    features::{
        attendance::service::rates, changes, evaluations, filings, payments, personnel, progress,
        rule_infos, rule_name,
    },
    kit::table::Rows,
    platform::{
        actor::Actor, db::Db, project, records::ListFilter, settings::Settings, time::today,
    },
};

pub async fn get(
    db: &Db,
    actor: &Actor,
    settings: &Settings,
    filing_id: i64,
) -> Result<Dossier, AppError> {
    use crate::domain::Role::*;
    actor.require(&[Admin, Supervisor, Owner])?;
    let day = today();
    let (p, figures) = {
        let mut conn = db.pool.acquire().await?;
        let p = project::read(&mut conn, actor, filing_id).await?;
        // A draft is not a project yet: its filing page is where it lives.
        if !p.is_submitted() {
            return Err(AppError::NotFound);
        }
        let f = project::figures(&mut conn, &p, day).await?;
        (p, f)
    };
    let filing = filings::service::get(db, actor, filing_id).await?;
    let progress = progress::service::view(db, actor, settings, filing_id).await?;
    let of = ListFilter::parse("", "", filing_id);
    let changes = changes::service::list(db, actor, &of, Rows::All)
        .await?
        .items;
    let payments = payments::service::list(db, actor, &of, Rows::All)
        .await?
        .items;
    let personnel = personnel::service::list(db, actor, &of, Rows::All)
        .await?
        .items;
    let evaluations = evaluations::service::list(
        db,
        actor,
        &evaluations::service::EvalFilter::parse("", "", filing_id),
        Rows::All,
    )
    .await?
    .items;
    let rules = crate::platform::rules::effective(db, settings, &rule_infos()).await?;
    let works = progress::rules::works_of(db, day, filing_id).await?;
    let light = works.first().map(|w| {
        w.light(
            day,
            rules.progress.behind_yellow_pts,
            rules.progress.behind_red_pts,
        )
    });
    // Attendance is owed while the works run: up to the month reported 已完工.
    let to = match works.first() {
        Some(w) => w.completed_on(),
        // A supervision section: while its project's works run.
        None => progress::rules::Completions::as_of(db, day)
            .await?
            .attendance_until(filing_id),
    }
    .map_or(day, |d| d.min(day));
    let from = to - chrono::Duration::days(89);
    let attendance = rates(db, filing_id, from, to).await?;
    let mut alerts: Vec<DossierAlert> = sqlx::query_as(
        "SELECT id, kind, severity, message, started_on, cleared_on FROM alerts WHERE award_id = $1
         ORDER BY (CASE WHEN cleared_on IS NULL THEN 0 ELSE 1 END), started_on DESC, id DESC",
    )
    .bind(p.award_id)
    .fetch_all(&db.pool)
    .await?;
    for a in &mut alerts {
        a.rule = rule_name(&a.kind).to_string();
    }
    let orders: Vec<DossierOrder> = sqlx::query_as(
        "SELECT id, order_no, facts, COALESCE(extension_until, deadline) AS deadline, status,
                created_at AS issued_at, closed_on
         FROM supervision_orders WHERE award_id = $1 ORDER BY id DESC",
    )
    .bind(p.award_id)
    .fetch_all(&db.pool)
    .await?;
    let mut d = Dossier {
        filing,
        light,
        figures,
        progress: Some(progress),
        changes,
        payments,
        personnel,
        evaluations,
        attendance,
        attendance_from: from.to_string(),
        attendance_to: to.to_string(),
        alerts,
        orders,
        timeline: Vec::new(),
    };
    d.timeline = timeline(&d);
    Ok(d)
}

/// Every dated event of the project, latest first (submitted records only).
fn timeline(d: &Dossier) -> Vec<Event> {
    let mut out = Vec::new();
    let mut push = |day: Option<String>, kind: &'static str, text: String, href: Option<String>| {
        if let Some(day) = day.filter(|s| !s.is_empty()) {
            out.push(Event {
                day,
                kind: kind.to_string(),
                text,
                href,
            });
        }
    };
    let f = &d.filing;
    push(
        f.signed_on.clone(),
        "合同",
        format!(
            "签订合同 {}，合同价 {} 万元",
            f.contract_no.clone().unwrap_or_default(),
            Fen(f.contract_price_fen.unwrap_or(0)).wan()
        ),
        Some(format!("/filings/{}", f.id)),
    );
    push(
        f.submitted_at.map(day_of),
        "合同",
        if f.back_entry {
            "合同备案（补录）".into()
        } else {
            "合同备案".into()
        },
        Some(format!("/filings/{}", f.id)),
    );
    if let Some(p) = &d.progress {
        push(
            p.site.as_ref().and_then(|s| s.actual_start.clone()),
            "进度",
            "实际开工".into(),
            Some(format!("/progress/{}", f.id)),
        );
        for m in p
            .months
            .iter()
            .filter(|m| m.status == RecordStatus::Submitted)
        {
            push(
                Some(m.month.clone()),
                "进度",
                format!(
                    "{} 月报：累计完成 {}%，{}",
                    m.month,
                    m.percent,
                    m.state.label()
                ),
                Some(format!("/progress/months/{}", m.id)),
            );
        }
    }
    for c in d
        .changes
        .iter()
        .filter(|c| c.status == RecordStatus::Submitted)
    {
        push(
            Some(c.approved_on.clone()),
            "变更",
            format!(
                "批准变更：{}（{} 元，工期 {:+} 天）",
                c.title,
                crate::kit::records::signed_plain(c.price_delta_fen),
                c.days_delta
            ),
            Some(format!("/changes/{}", c.id)),
        );
    }
    for p in d
        .payments
        .iter()
        .filter(|p| p.status == RecordStatus::Submitted)
    {
        push(
            Some(p.paid_on.clone()),
            "拨付",
            format!(
                "拨付{} {} 万元",
                label_of(&PAYMENT_KINDS, &p.kind),
                Fen(p.amount_fen).wan()
            ),
            Some(format!("/payments/{}", p.id)),
        );
    }
    for c in d
        .personnel
        .iter()
        .filter(|c| c.status == RecordStatus::Submitted)
    {
        push(
            Some(c.effective_on.clone()),
            "人员",
            format!(
                "{}更换：{} → {}",
                label_of(&ROSTER_ROLES, &c.role),
                c.leaving,
                c.new_name
            ),
            Some(format!("/personnel/{}", c.id)),
        );
    }
    for e in d
        .evaluations
        .iter()
        .filter(|e| e.status == RecordStatus::Submitted)
    {
        let period = Period::parse(&e.period);
        push(
            period
                .and_then(|p| p.days())
                .map(|(_, end)| end.to_string()),
            "考评",
            format!(
                "{}考评：{} 分，{}",
                period.map_or_else(|| e.period.clone(), |p| p.label()),
                e.total.unwrap_or(0),
                e.grade().map_or("", |g| g.label())
            ),
            Some(format!("/evaluations/{}", e.id)),
        );
    }
    for a in &d.alerts {
        push(
            a.started_on.clone(),
            "预警",
            format!("预警：{}", a.message),
            None,
        );
        push(
            a.cleared_on.clone(),
            "预警",
            format!("预警消除：{}", a.rule),
            None,
        );
    }
    for o in &d.orders {
        push(
            Some(day_of(o.issued_at)),
            "督办",
            format!("下发督办 {}：{}", o.order_no, o.facts),
            Some(format!("/orders/{}", o.id)),
        );
        push(
            o.closed_on.clone(),
            "督办",
            format!("督办办结 {}", o.order_no),
            Some(format!("/orders/{}", o.id)),
        );
    }
    // Latest first; a month's report (YYYY-MM) sorts as the month's end.
    let key = |e: &Event| {
        if e.day.len() == 7 {
            format!("{}-31", e.day)
        } else {
            e.day.clone()
        }
    };
    out.sort_by_key(|e| std::cmp::Reverse(key(e)));
    out
}

/// The Beijing day of an instant (ms).
fn day_of(ms: i64) -> String {
    crate::fmt::datetime(ms).chars().take(10).collect()
}
