//! The attendance board: lead key personnel (项目经理, 总监) on duty, counted
//! as the month views and the 关键人员考勤率不足 rule count (required days of
//! the project's calendar while on its roster, one counted check-in each),
//! and only while the works ran (up to the month reported 已完工), as the
//! compliance statistics count. A few statements for the whole scope: the
//! works (for completion), the lead members of every submitted filing (the
//! construction sections' 项目经理, the supervision sections' 总监), their
//! calendars, the units' names; their counted days from the process's
//! store (`attendance::service::checkin_days`).
use super::last_twelve;
use crate::{
    domain::{Role, SECTORS, label_of, progress::Month},
    error::AppError,
    features::{
        attendance::service::{Calendar, DaySet, checkin_days, leads_in, on_roster},
        county_map::service::unit_names,
        dashboards::{AttendanceBoard, Duty, DutyGroup, DutyPerson},
        progress::rules::Completions,
        rule_infos,
    },
    platform::{
        actor::Actor,
        db::Db,
        project::{ScopeBinds, scope_sql},
        settings::Settings,
    },
};
use chrono::{Duration, NaiveDate};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One lead member on a project in scope.
struct Lead {
    filing_id: i64,
    user_id: i64,
    name: String,
    role: String,
    joined: NaiveDate,
    left: Option<NaiveDate>,
    /// Contractor (项目经理) or supervision unit (总监).
    firm: Option<i64>,
    project: String,
    sector: String,
    owner: i64,
}

impl Lead {
    fn is_pm(&self) -> bool {
        self.role == "pm"
    }
}

/// The board as of `as_of` for `month` (by default the last finished one;
/// one of the twelve months up to `as_of`).
pub async fn attendance(
    db: &Db,
    actor: &Actor,
    settings: &Settings,
    as_of: NaiveDate,
    month: Option<Month>,
) -> Result<AttendanceBoard, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let twelve = last_twelve(as_of);
    let month = month.unwrap_or_else(|| Month::of(as_of).prev());
    if !twelve.contains(&month) {
        return Err(AppError::field("month", "只能查看最近十二个月"));
    }
    let limit_pct = crate::platform::rules::effective(db, settings, &rule_infos())
        .await?
        .alert_attendance_pct;
    // Days after the month reported 已完工 are not owed (a supervision
    // section's neither, by its project's construction section).
    let completed = Completions::as_of(db, as_of).await?;

    let first = twelve[0].first();
    let s = ScopeBinds::of(actor);
    let mut leads = Vec::new();
    // Every submitted filing in scope (from the process's roster snapshot):
    // a construction section's 项目经理, a supervision section's (or a
    // construction filing's) 总监, if on the roster since the first month.
    for f in leads_in(db, as_of, &s).await? {
        let project = if f.supervision {
            format!("{}（监理）", f.project_name)
        } else {
            f.project_name.clone()
        };
        for m in &f.leads {
            if m.left.is_some_and(|l| l <= first) {
                continue;
            }
            // The winner of a supervision section is the supervision unit.
            let firm = if m.is_pm() || f.supervision {
                f.contractor
            } else {
                f.supervisor_engineer
            };
            leads.push(Lead {
                filing_id: f.filing_id,
                user_id: m.user_id,
                name: m.name.clone(),
                role: m.role.clone(),
                joined: m.joined,
                left: m.left,
                firm,
                project: project.clone(),
                sector: f.sector.clone(),
                owner: f.owner,
            });
        }
    }
    let mut calendars: HashMap<i64, Calendar> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT r.filing_id, r.workdays, r.holidays, r.makeup_days, r.photo_required
         FROM attendance_rules r JOIN filings f ON f.id = r.filing_id JOIN awards a ON a.id = f.award_id
         WHERE {}",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?
    {
        calendars.insert(r.try_get("filing_id")?, Calendar::from_row(&r)?);
    }
    let checked = checkin_days(db).await?;

    // Each lead's days: owed, and on duty, per month up to yesterday; today.
    let default_calendar = Calendar::default();
    let yesterday = as_of - Duration::days(1);
    let mut slots = [(Duty::default(), Duty::default()); 12];
    let target = twelve.iter().position(|m| *m == month);
    // The required days up to yesterday of each calendar (most projects
    // share the default one), as bits, worked out once; each lead's month
    // is then counted a word at a time.
    let mut required_days: HashMap<Option<i64>, DaySet> = HashMap::new();
    let mut in_month: Vec<(&Lead, Duty)> = Vec::new();
    let mut today = Duty::default();
    let mut missing = Vec::new();
    for lead in &leads {
        let own = calendars.get(&lead.filing_id);
        let cal = own.unwrap_or(&default_calendar);
        let until = completed.attendance_until(lead.filing_id);
        let owed = |day: NaiveDate| {
            cal.required(day)
                && on_roster(day, lead.joined, lead.left)
                && until.is_none_or(|u| day <= u)
        };
        let person = checked.of(lead.filing_id, lead.user_id);
        let on_duty = |day: NaiveDate| person.counted(day);
        let days = required_days
            .entry(own.map(|_| lead.filing_id))
            .or_insert_with(|| DaySet::of(first, yesterday, |d| cal.required(d)));
        // Owed from joining to the day before leaving, up to the works' end.
        let last = [Some(yesterday), until, lead.left.and_then(|l| l.pred_opt())]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(yesterday);
        let mut mine = Duty::default();
        for (slot, m) in twelve.iter().enumerate() {
            let (required, counted) =
                person.count(days, m.first().max(lead.joined), m.last().min(last));
            let d = Duty { required, counted };
            if lead.is_pm() {
                slots[slot].0.add(d)
            } else {
                slots[slot].1.add(d)
            }
            if Some(slot) == target {
                mine.add(d);
            }
        }
        if mine.required > 0 {
            in_month.push((lead, mine));
        }
        if owed(as_of) {
            let d = Duty {
                required: 1,
                counted: i64::from(on_duty(as_of)),
            };
            today.add(d);
            if d.counted == 0 {
                missing.push((lead, d));
            }
        }
    }

    drop(checked);
    let by_month: BTreeMap<Month, (Duty, Duty)> = twelve.iter().copied().zip(slots).collect();

    let unit_ids: BTreeSet<i64> = leads
        .iter()
        .flat_map(|l| [l.firm, Some(l.owner)])
        .flatten()
        .collect();
    let units: HashMap<i64, String> = unit_names(db, &unit_ids).await?.into_iter().collect();
    let firm_of = |l: &Lead| {
        l.firm
            .and_then(|f| units.get(&f).cloned())
            .unwrap_or_else(|| "（未填）".to_string())
    };
    let person = |l: &Lead, duty: Duty| DutyPerson {
        filing_id: l.filing_id,
        project: l.project.clone(),
        role: l.role.clone(),
        name: l.name.clone(),
        firm: firm_of(l),
        duty,
    };
    let below_bar = |d: &Duty| d.rate().is_some_and(|r| r < limit_pct);

    let mut total = DutyGroup {
        name: "合计".into(),
        ..Default::default()
    };
    let mut sectors: BTreeMap<(String, String), DutyGroup> = BTreeMap::new();
    let mut owners: BTreeMap<(String, String), DutyGroup> = BTreeMap::new();
    let mut firm_groups: BTreeMap<(String, String), DutyGroup> = BTreeMap::new();
    for (lead, duty) in &in_month {
        let keys = [
            (
                &mut sectors,
                (
                    label_of(&SECTORS, &lead.sector).to_string(),
                    format!("/map?sector={}", lead.sector),
                ),
            ),
            (
                &mut owners,
                (
                    units.get(&lead.owner).cloned().unwrap_or_default(),
                    format!("/map?owner={}", lead.owner),
                ),
            ),
        ];
        for (groups, key) in keys {
            tally(
                groups.entry(key.clone()).or_insert_with(|| named(key)),
                lead,
                *duty,
                below_bar(duty),
            );
        }
        let key = (firm_of(lead), String::new());
        tally(
            firm_groups.entry(key.clone()).or_insert_with(|| named(key)),
            lead,
            *duty,
            below_bar(duty),
        );
        tally(&mut total, lead, *duty, below_bar(duty));
    }
    let mut below: Vec<DutyPerson> = in_month
        .iter()
        .filter(|(_, d)| below_bar(d))
        .map(|(l, d)| person(l, *d))
        .collect();
    below.sort_by(|a, b| {
        a.duty
            .rate()
            .unwrap_or(0.0)
            .total_cmp(&b.duty.rate().unwrap_or(0.0))
            .then(a.project.cmp(&b.project))
    });
    let mut missing: Vec<DutyPerson> = missing.into_iter().map(|(l, d)| person(l, d)).collect();
    missing.sort_by(|a, b| a.project.cmp(&b.project).then(a.role.cmp(&b.role)));

    Ok(AttendanceBoard {
        as_of: as_of.to_string(),
        month: month.to_string(),
        months: twelve.iter().rev().map(Month::to_string).collect(),
        partial: month == Month::of(as_of),
        limit_pct,
        by_month: by_month
            .into_iter()
            .map(|(m, (pm, chief))| (m.to_string(), pm, chief))
            .collect(),
        total,
        by_sector: ranked(sectors),
        by_owner: ranked(owners),
        by_firm: ranked(firm_groups),
        below,
        today,
        missing,
    })
}

fn named((name, href): (String, String)) -> DutyGroup {
    DutyGroup {
        name,
        href: (!href.is_empty()).then_some(href),
        ..Default::default()
    }
}

fn tally(g: &mut DutyGroup, lead: &Lead, duty: Duty, below: bool) {
    if lead.is_pm() {
        g.pm.add(duty);
    } else {
        g.chief.add(duty);
    }
    g.people += 1;
    g.below += i64::from(below);
}

/// Lowest rate first (where attention is due), then by name.
fn ranked(groups: BTreeMap<(String, String), DutyGroup>) -> Vec<DutyGroup> {
    let mut out: Vec<DutyGroup> = groups.into_values().collect();
    out.sort_by(|a, b| {
        a.all()
            .rate()
            .unwrap_or(100.0)
            .total_cmp(&b.all().rate().unwrap_or(100.0))
            .then(a.name.cmp(&b.name))
    });
    out
}
