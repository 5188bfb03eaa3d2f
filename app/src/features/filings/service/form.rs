//! The filing and roster forms, parsed.
use crate::{
    domain::{
        Fen, IdNumber, Mobile, Name, ROSTER_ROLES, code_of, optional_text, parse_date,
        required_text,
    },
    error::{AppError, Check},
};
use chrono::NaiveDate;

/// The filing form as submitted (text, parsed by [`FilingForm::parse`]).
#[derive(Debug, Clone, Default)]
pub struct FilingForm {
    pub contract_no: String,
    pub signed_on: String,
    pub contract_price: String,
    pub duration_days: String,
    pub planned_start: String,
    pub planned_completion: String,
    pub payment_terms: String,
    pub supervisor_engineer_unit_id: String,
    pub remarks: String,
    /// The filing's version the form was filled in against (empty: do not
    /// check, as for clients that never loaded the form).
    pub version: String,
}

/// A parsed filing form.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingInput {
    pub contract_no: String,
    pub signed_on: NaiveDate,
    pub price: Fen,
    pub duration_days: i64,
    pub planned_start: NaiveDate,
    pub planned_completion: NaiveDate,
    pub payment_terms: String,
    pub supervisor_engineer_unit_id: Option<i64>,
    pub remarks: Option<String>,
}

impl FilingForm {
    /// Checks every field against the award it files (`award_date`) and today.
    pub fn parse(&self, award_date: NaiveDate, today: NaiveDate) -> Result<FilingInput, AppError> {
        let mut c = Check::new();
        let contract_no = c.take(
            "contract_no",
            required_text(&self.contract_no, "合同编号", 50),
        );
        let signed_on = c.take(
            "signed_on",
            parse_date(&self.signed_on, "合同签订日期").and_then(|d| {
                if d < award_date {
                    Err(format!("签订日期不能早于中标通知书日期 {award_date}"))
                } else if d > today {
                    Err("签订日期不能晚于今天".into())
                } else {
                    Ok(d)
                }
            }),
        );
        let price = c.take(
            "contract_price",
            Fen::parse_yuan(&self.contract_price, "合同价"),
        );
        let duration = c.take(
            "duration_days",
            self.duration_days
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| "工期应为 1–3650 之间的整数（日历天）".to_string()),
        );
        let start = c.take(
            "planned_start",
            parse_date(&self.planned_start, "计划开工日期"),
        );
        let completion = c.take(
            "planned_completion",
            parse_date(&self.planned_completion, "计划竣工日期"),
        );
        if let (Some(s), Some(e)) = (start, completion) {
            if e <= s {
                c.fail("planned_completion", "计划竣工日期须晚于计划开工日期");
            } else if let Some(d) = duration {
                // 工期 counts calendar days including the first: 1 Mar–10 Mar is 10 days.
                let span = (e - s).num_days();
                if d != span + 1 && d != span {
                    c.fail(
                        "duration_days",
                        format!("与计划开工、竣工日期不符：按日期应为 {} 天", span + 1),
                    );
                }
            }
        }
        let payment_terms = c.take(
            "payment_terms",
            optional_text(&self.payment_terms, "付款方式", 500)
                .and_then(|t| t.ok_or_else(|| "请填写付款方式".to_string())),
        );
        let se = self.supervisor_engineer_unit_id.trim();
        let supervisor_engineer_unit_id = if se.is_empty() {
            Some(None)
        } else {
            c.take(
                "supervisor_engineer_unit_id",
                se.parse::<i64>()
                    .map(Some)
                    .map_err(|_| "请从列表中选择监理单位".to_string()),
            )
        };
        let remarks = c.take("remarks", optional_text(&self.remarks, "备注", 500));
        c.finish()?;
        match (
            contract_no,
            signed_on,
            price,
            duration,
            start,
            completion,
            payment_terms,
            supervisor_engineer_unit_id,
            remarks,
        ) {
            (
                Some(contract_no),
                Some(signed_on),
                Some(price),
                Some(duration_days),
                Some(planned_start),
                Some(planned_completion),
                Some(payment_terms),
                Some(supervisor_engineer_unit_id),
                Some(remarks),
            ) => Ok(FilingInput {
                contract_no,
                signed_on,
                price,
                duration_days,
                planned_start,
                planned_completion,
                payment_terms,
                supervisor_engineer_unit_id,
                remarks,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// A roster member as the form submits it, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberInput {
    pub role: &'static str,
    pub name: Name,
    pub id_number: IdNumber,
    pub mobile: Mobile,
    pub cert_no: String,
}

impl MemberInput {
    pub fn parse(
        role: &str,
        name: &str,
        id_number: &str,
        mobile: &str,
        cert_no: &str,
    ) -> Result<Self, AppError> {
        Self::parse_checked(role, name, id_number, mobile, cert_no, true)
    }

    /// As [`Self::parse`]; `cert_required` false records a missing
    /// certificate (a replacement that happened without one) for the rules
    /// to flag instead of refusing it.
    pub fn parse_checked(
        role: &str,
        name: &str,
        id_number: &str,
        mobile: &str,
        cert_no: &str,
        cert_required: bool,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let role = c.take(
            "role",
            code_of(&ROSTER_ROLES, role).ok_or_else(|| "请选择岗位".to_string()),
        );
        let name = c.take("name", Name::parse(name, "姓名", 20));
        let id_number = c.take("id_number", IdNumber::parse(id_number));
        let mobile = c.take("mobile", Mobile::parse(mobile));
        let cert = cert_no.trim();
        let needs_cert =
            cert_required && role.is_some_and(|r| crate::domain::records::CERT_ROLES.contains(&r));
        // Certificates carry a province prefix: 浙233060800123.
        let cert_ok = cert.chars().count() <= 40
            && cert.chars().all(|ch| {
                ch.is_ascii_alphanumeric() || ch == '-' || ('\u{4E00}'..='\u{9FFF}').contains(&ch)
            });
        if !cert_ok {
            c.fail(
                "cert_no",
                "注册证书编号应为汉字、字母、数字或 -，最多 40 位",
            );
        } else if needs_cert && cert.is_empty() {
            c.fail("cert_no", "项目经理、总监理工程师须填写注册证书编号");
        }
        c.finish()?;
        match (role, name, id_number, mobile) {
            (Some(role), Some(name), Some(id_number), Some(mobile)) => Ok(Self {
                role,
                name,
                id_number,
                mobile,
                cert_no: cert.to_ascii_uppercase(),
            }),
            _ => Err(AppError::Internal),
        }
    }
}

// --- reading -------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn good() -> FilingForm {
        FilingForm {
            contract_no: "PYJS-2025-001".into(),
            signed_on: "2025-04-01".into(),
            contract_price: "1000000".into(),
            duration_days: "10".into(),
            planned_start: "2025-05-01".into(),
            planned_completion: "2025-05-10".into(),
            payment_terms: "按月进度付款 80%".into(),
            supervisor_engineer_unit_id: String::new(),
            remarks: String::new(),
            version: String::new(),
        }
    }

    #[test]
    fn accepts_a_consistent_form() {
        let f = good().parse(d("2025-03-20"), d("2025-06-01")).unwrap();
        assert_eq!(f.duration_days, 10);
        assert_eq!(f.price, Fen(100_000_000));
    }

    #[test]
    fn refuses_inconsistent_dates_at_their_fields() {
        let mut f = good();
        f.signed_on = "2025-03-01".into();
        f.duration_days = "30".into();
        let e = f.parse(d("2025-03-20"), d("2025-06-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["signed_on"].contains("早于中标"));
        assert!(fields["duration_days"].contains("应为 10 天"));

        let mut f = good();
        f.signed_on = "2025-07-01".into();
        f.planned_completion = "2025-04-01".into();
        f.contract_price = "0".into();
        let e = f.parse(d("2025-03-20"), d("2025-06-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["signed_on"].contains("晚于今天"));
        assert!(fields["planned_completion"].contains("晚于计划开工"));
        assert!(fields["contract_price"].contains("大于 0"));
    }

    #[test]
    fn members_need_valid_ids_and_pm_certificates() {
        let id = IdNumber::with_check("33032619800101123").unwrap();
        assert!(MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "浙233 <b>").is_err());
        assert!(
            MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "浙233060800123").is_ok()
        );
        let e = MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "").unwrap_err();
        assert!(e.field_errors().unwrap()["cert_no"].contains("须填写"));
        assert!(
            MemberInput::parse("safety_officer", "李四", id.as_str(), "13867780001", "").is_ok()
        );
        let e = MemberInput::parse("boss", "<b>", "123", "1", "").unwrap_err();
        assert_eq!(e.field_errors().unwrap().len(), 4);
    }
}
