//! What the system knows of a project for an evaluation's period (key
//! personnel attendance and replacements, progress against the plan,
//! supervision orders, alerts), and the scores it proposes from that.
use super::super::EvidenceView;
use crate::{
    domain::{
        ROSTER_ROLES,
        evaluation::{Evidence, Facts, FormItem, PER_ORDER, PER_REPLACEMENT, Period},
        label_of,
        progress::{Month, ProgressState},
    },
    error::AppError,
    features::{attendance::service::rates, progress::rules::works_of},
    platform::{db::Db, project::Project, time::end_of_day_ms},
};
use chrono::NaiveDate;
use sqlx::Row;

/// The days an evaluation of `period` covers: a quarter from the signing
/// (and up to the completion), the completion from the signing to the day
/// the project was completed. None if the period is not within the contract
/// or has not begun.
pub fn span(
    p: &Project,
    period: Period,
    completed: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    let signed = p.signed_day()?;
    let (from, to) = match period {
        Period::Quarter { .. } => {
            let (first, last) = period.days()?;
            let last = completed.map_or(last, |c| last.min(c));
            (first.max(signed), last)
        }
        Period::Completion => (signed, completed?),
    };
    (from <= to && from <= today).then_some((from, to.min(today)))
}

/// The evidence of the project over `from..=to`, read now.
pub async fn gather(
    db: &Db,
    p: &Project,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<EvidenceView, AppError> {
    let mut facts = Facts::default();
    let people = rates(db, p.id, from, to).await?;
    facts.lead_rate = people
        .iter()
        .filter(|m| m.is_lead())
        .filter_map(|m| m.rate())
        .reduce(f64::min);

    let mut replacements = Vec::new();
    for r in sqlx::query(
        "SELECT c.role, m.name, c.new_name, c.effective_on, c.reason, c.fine_fen, c.credit_points, c.interview, c.censure
         FROM personnel_changes c JOIN roster_members m ON m.id = c.member_id
         WHERE c.filing_id = $1 AND c.status = 'submitted' AND c.effective_on >= $2 AND c.effective_on <= $3
         ORDER BY c.effective_on",
    )
    .bind(p.id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&db.pool)
    .await?
    {
        let penalties = crate::features::personnel::penalties_text(
            r.try_get("fine_fen")?,
            r.try_get("credit_points")?,
            r.try_get::<i64, _>("interview")? == 1,
            r.try_get::<i64, _>("censure")? == 1,
            None,
        );
        replacements.push(format!(
            "{} 起 {} {} → {}（{}；处罚：{penalties}）",
            r.try_get::<String, _>("effective_on")?,
            label_of(&ROSTER_ROLES, &r.try_get::<String, _>("role")?),
            r.try_get::<String, _>("name")?,
            r.try_get::<String, _>("new_name")?,
            label_of(
                &crate::domain::records::PERSONNEL_REASONS,
                &r.try_get::<String, _>("reason")?
            ),
        ));
    }
    facts.replacements = replacements.len() as i64;

    // Progress as known now, of the months up to the period's end.
    let mut progress = Vec::new();
    if let Some(w) = works_of(db, today, p.id).await?.into_iter().next() {
        let last = Month::of(to);
        let months: Vec<_> = w.months.iter().filter(|m| m.month <= last).collect();
        let completed = months.iter().any(|m| m.state == ProgressState::Completed);
        if let Some(rc) = w.revised_completion {
            progress.push(format!("调整后竣工日期 {rc}"));
            facts.overdue = rc < to && !completed;
            if facts.overdue {
                progress.push(format!("{to} 已超过调整后竣工日期，尚未完工"));
            }
        }
        match months.last() {
            Some(m) => {
                progress.push(format!(
                    "{} 填报 {}%（{}）",
                    m.month,
                    m.percent,
                    m.state.label()
                ));
                if let Some(planned) = w.planned_on(m.month.last()) {
                    let behind = planned - m.percent as f64;
                    facts.behind_pts = Some(behind);
                    progress.push(format!(
                        "{} 序时进度 {planned:.0}%，{}",
                        m.month,
                        if behind > 0.0 {
                            format!("落后 {behind:.0} 个百分点")
                        } else {
                            "不落后".to_string()
                        }
                    ));
                }
            }
            None => progress.push("本期没有已登记的月度进度".to_string()),
        }
    }

    let mut orders = Vec::new();
    for r in sqlx::query(
        "SELECT o.order_no, o.deadline, o.extension_until, o.status, o.created_at,
                (SELECT MIN(e.at) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'answer') AS answered_at
         FROM supervision_orders o WHERE o.filing_id = $1 AND o.created_at >= $2 AND o.created_at < $3 ORDER BY o.id",
    )
    .bind(p.id)
    .bind(end_of_day_ms(from.pred_opt().unwrap_or(from)))
    .bind(end_of_day_ms(to))
    .fetch_all(&db.pool)
    .await?
    {
        let deadline: String = r
            .try_get::<Option<String>, _>("extension_until")?
            .unwrap_or(r.try_get("deadline")?);
        let due = NaiveDate::parse_from_str(&deadline, "%Y-%m-%d").unwrap_or(to);
        let answered = r
            .try_get::<Option<i64>, _>("answered_at")?
            .map(crate::features::attendance::service::day_of);
        let late = match answered {
            Some(a) => a > due,
            None => due < today,
        };
        facts.orders += 1;
        facts.orders_late += late as i64;
        orders.push(format!(
            "{}，期限 {deadline}，{}",
            r.try_get::<String, _>("order_no")?,
            match (answered, late) {
                (Some(a), true) => format!("{a} 逾期反馈"),
                (Some(a), false) => format!("{a} 按期反馈"),
                (None, true) => "逾期未反馈".to_string(),
                (None, false) => "办理中".to_string(),
            }
        ));
    }

    let alerts = sqlx::query(
        "SELECT kind, COUNT(*) AS n FROM alerts WHERE filing_id = $1 AND started_on >= $2 AND started_on <= $3
         GROUP BY kind ORDER BY COUNT(*) DESC, kind",
    )
    .bind(p.id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            crate::features::rule_name(&r.try_get::<String, _>("kind")?).to_string(),
            r.try_get::<i64, _>("n")?,
        ))
    })
    .collect::<Result<Vec<_>, AppError>>()?;

    Ok(EvidenceView {
        from: from.to_string(),
        to: to.to_string(),
        facts,
        people,
        replacements,
        progress,
        orders,
        alerts,
    })
}

/// Each item's proposed score (if its evidence supports one) and how it
/// was reached, in words.
pub fn propose(item: &FormItem, facts: &Facts, red_pts: f64) -> (Option<i64>, String) {
    let Some(e) = item.evidence else {
        return (None, "由建设单位评定".into());
    };
    let w = item.weight;
    let p = facts.propose(e, w, red_pts);
    let why = match (e, p) {
        (_, None) => "本期没有可依据的记录，不提出建议分".to_string(),
        (Evidence::Personnel, Some(p)) => format!(
            "项目经理/总监最低出勤率 {:.0}%，更换 {} 人次：{w} × {:.0}% − {PER_REPLACEMENT} × {} ≈ {p}",
            facts.lead_rate.unwrap_or_default(),
            facts.replacements,
            facts.lead_rate.unwrap_or_default(),
            facts.replacements
        ),
        (Evidence::Schedule, Some(_)) if facts.overdue => {
            "超过调整后竣工日期仍未完工：0 分".to_string()
        }
        (Evidence::Schedule, Some(p)) => match facts.behind_pts {
            Some(b) if b > 0.0 => format!(
                "落后序时进度 {b:.0} 个百分点（{red_pts:.0} 个百分点为 0 分）：{w} × (1 − {b:.0}/{red_pts:.0}) ≈ {p}"
            ),
            _ => format!("不落后于序时进度：{p}"),
        },
        (Evidence::Cooperation, Some(p)) => format!(
            "督办 {} 件，其中逾期反馈 {} 件：{w} − {PER_ORDER} × ({} + {}) = {p}",
            facts.orders, facts.orders_late, facts.orders, facts.orders_late
        ),
    };
    (p, why)
}
