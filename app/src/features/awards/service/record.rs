//! One award record parsed from a file row or an API object.
use crate::{
    domain::{
        CreditCode, Fen, SECTORS, SectionKind, TENDER_METHODS, code_of, code_text, parse_date,
        required_text,
    },
    features::awards::Problem,
    platform::time::today,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The fields of an award record: (key in JSON, column header in files).
/// All are required but those in [`OPTIONAL`].
pub const FIELDS: [(&str, &str); 11] = [
    ("project_code", "项目编号"),
    ("section_code", "标段编号"),
    ("project_name", "项目名称"),
    ("section_name", "标段名称"),
    ("owner_credit_code", "招标人统一社会信用代码"),
    ("contractor_credit_code", "中标人统一社会信用代码"),
    ("award_price", "中标价（元）"),
    ("award_date", "中标通知书日期"),
    ("tender_method", "招标方式"),
    ("sector", "行业"),
    ("section_kind", "标段类型"),
];

/// Fields a record may leave out: without 标段类型 the section name decides
/// (`SectionKind::infer`).
pub const OPTIONAL: [&str; 1] = ["section_kind"];

pub fn header_of(key: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, h)| *h)
        .unwrap_or("")
}

/// A record as it arrived: field key → text, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    pub line: usize,
    pub values: BTreeMap<&'static str, String>,
}

impl RawRecord {
    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

/// A record that parsed; units still to be matched by credit code.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardInput {
    pub project_code: String,
    pub section_code: String,
    pub project_name: String,
    pub section_name: String,
    pub owner_code: CreditCode,
    pub contractor_code: CreditCode,
    pub price: Fen,
    pub award_date: NaiveDate,
    pub tender_method: &'static str,
    pub sector: &'static str,
    pub section_kind: SectionKind,
}

/// Parses one record, reporting every bad field at once.
pub fn parse_record(raw: &RawRecord) -> Result<AwardInput, Vec<Problem>> {
    let mut found = Found {
        line: raw.line,
        problems: Vec::new(),
    };
    let project_code = found.take(
        "project_code",
        code_text(raw.get("project_code"), "项目编号"),
    );
    let section_code = found.take(
        "section_code",
        code_text(raw.get("section_code"), "标段编号"),
    );
    let project_name = found.take(
        "project_name",
        required_text(raw.get("project_name"), "项目名称", 100),
    );
    let section_name = found.take(
        "section_name",
        required_text(raw.get("section_name"), "标段名称", 100),
    );
    let owner_code = found.take(
        "owner_credit_code",
        CreditCode::parse(raw.get("owner_credit_code")),
    );
    let contractor_code = found.take(
        "contractor_credit_code",
        CreditCode::parse(raw.get("contractor_credit_code")),
    );
    let price = found.take(
        "award_price",
        Fen::parse_yuan(raw.get("award_price"), "中标价"),
    );
    let award_date = found.take(
        "award_date",
        parse_date(raw.get("award_date"), "中标通知书日期").and_then(|d| {
            if d > today() {
                Err("中标通知书日期不能晚于今天".into())
            } else {
                Ok(d)
            }
        }),
    );
    let tender_method = found.take(
        "tender_method",
        code_of(&TENDER_METHODS, raw.get("tender_method")).ok_or_else(|| {
            format!(
                "招标方式应为：{}",
                TENDER_METHODS.map(|(_, l)| l).join("、")
            )
        }),
    );
    let sector = found.take(
        "sector",
        code_of(&SECTORS, raw.get("sector"))
            .ok_or_else(|| format!("行业应为：{}", SECTORS.map(|(_, l)| l).join("、"))),
    );
    let section_kind = match raw.get("section_kind").trim() {
        "" => section_name.as_deref().map(SectionKind::infer),
        text => found.take("section_kind", SectionKind::parse(text)),
    };
    match (
        project_code,
        section_code,
        project_name,
        section_name,
        owner_code,
        contractor_code,
        price,
        award_date,
        tender_method,
        sector,
        section_kind,
    ) {
        (
            Some(project_code),
            Some(section_code),
            Some(project_name),
            Some(section_name),
            Some(owner_code),
            Some(contractor_code),
            Some(price),
            Some(award_date),
            Some(tender_method),
            Some(sector),
            Some(section_kind),
        ) => Ok(AwardInput {
            project_code,
            section_code,
            project_name,
            section_name,
            owner_code,
            contractor_code,
            price,
            award_date,
            tender_method,
            sector,
            section_kind,
        }),
        _ => Err(found.problems),
    }
}

/// Problems of one record, collected field by field.
struct Found {
    line: usize,
    problems: Vec<Problem>,
}

impl Found {
    fn take<T>(&mut self, key: &'static str, r: Result<T, String>) -> Option<T> {
        r.map_err(|reason| {
            self.problems.push(Problem {
                line: self.line,
                column: header_of(key).to_string(),
                reason,
            })
        })
        .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&'static str, &str)]) -> RawRecord {
        RawRecord {
            line: 2,
            values: pairs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    #[test]
    fn reports_every_bad_field_with_its_column() {
        let bad = raw(&[
            ("project_code", "PY 1"),
            ("award_price", "-3"),
            ("tender_method", "抽签"),
        ]);
        let problems = parse_record(&bad).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(columns.contains(&"项目编号"));
        assert!(columns.contains(&"中标价（元）"));
        assert!(columns.contains(&"招标方式"));
        assert!(columns.contains(&"行业"));
        assert!(problems.iter().all(|p| p.line == 2));
    }
}
