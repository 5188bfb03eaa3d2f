//! What the project records after filing share: their state, the code lists
//! of changes and payments, and the figures of a project's money.
use serde::{Deserialize, Serialize};

/// A project record's state. A draft is being completed (its documents
/// uploaded); once submitted it counts in the totals and the rules, and a
/// change to it is a correction with a reason; a voided record stays, with
/// its reason, but counts nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Draft,
    Submitted,
    Voided,
}

impl RecordStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Voided => "voided",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已登记",
            Self::Voided => "已作废",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            Self::Draft => "badge badge-warn",
            Self::Submitted => "badge badge-ok",
            Self::Voided => "badge badge-off",
        }
    }
}

impl TryFrom<String> for RecordStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "draft" => Ok(Self::Draft),
            "submitted" => Ok(Self::Submitted),
            "voided" => Ok(Self::Voided),
            other => Err(format!("unknown record status {other}")),
        }
    }
}

/// 变更类型. One change may move both price and days.
pub const CHANGE_KINDS: [(&str, &str); 4] = [
    ("design", "设计变更"),
    ("quantity", "工程量变更"),
    ("cost", "造价变更"),
    ("schedule", "工期变更"),
];

/// 责任方: who caused the change.
pub const RESPONSIBILITIES: [(&str, &str); 6] = [
    ("owner", "建设单位"),
    ("design", "设计"),
    ("contractor", "施工"),
    ("policy", "政策调整"),
    ("force_majeure", "不可抗力"),
    ("other", "其他"),
];

/// Who approved a change: the owner unit itself, or a body above it
/// (主管部门, 县政府, 财政评审…). Large changes need the latter.
pub const APPROVER_LEVELS: [(&str, &str); 2] = [
    ("owner", "建设单位自行审批"),
    ("higher", "上级主管部门或县政府审批"),
];

/// 拨付类型.
pub const PAYMENT_KINDS: [(&str, &str); 5] = [
    ("advance", "预付款"),
    ("progress", "进度款"),
    ("settlement", "结算款"),
    ("retention", "质保金返还"),
    ("other", "其他"),
];

/// Why a key person was replaced (the reasons county rules allow, as 金华's
/// 2022 rule lists them, and 其他 with a text).
pub const PERSONNEL_REASONS: [(&str, &str); 7] = [
    ("health", "身体原因"),
    ("underperforming", "履职不到位"),
    ("work_done", "专业工作已完成"),
    ("stoppage", "非施工单位原因停工"),
    ("violation", "违法违规"),
    ("transfer", "人员调动"),
    ("other", "其他"),
];

/// Roles whose holder must have a registration certificate (注册证书).
pub const CERT_ROLES: [&str; 2] = ["pm", "chief_supervisor"];

/// Files a personnel change carries: the owner's consent is required.
pub const PERSONNEL_FILE_KINDS: [(&str, &str); 2] =
    [("consent", "建设单位同意更换文件"), ("other", "其他附件")];

/// Files a change or a payment carries; the first of each is required.
pub const CHANGE_FILE_KINDS: [(&str, &str); 2] =
    [("approval", "变更批准文件"), ("other", "其他附件")];
/// An evaluation's files: the stamped sheet and others (all optional: the
/// scores are the record).
pub const EVALUATION_FILE_KINDS: [(&str, &str); 2] =
    [("sheet", "盖章考评表"), ("other", "其他附件")];
/// What a contractor attaches to an objection.
pub const OBJECTION_FILE_KINDS: [(&str, &str); 1] = [("evidence", "异议材料")];
pub const PAYMENT_FILE_KINDS: [(&str, &str); 2] = [("voucher", "支付凭证"), ("other", "其他附件")];

/// A project's money and dates as of a day: what every page that shows the
/// project shows (the project core computes it from submitted records).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectFigures {
    pub filing_id: i64,
    pub label: String,
    pub contractor_name: String,
    /// 原合同价.
    pub contract_price_fen: i64,
    /// Net of submitted changes (may be negative).
    pub change_fen: i64,
    pub change_count: i64,
    pub change_days: i64,
    pub planned_completion: Option<String>,
    /// Planned completion moved by the schedule changes.
    pub revised_completion: Option<String>,
    pub paid_fen: i64,
    /// (kind code, fen), every kind listed.
    pub paid_by_kind: Vec<(String, i64)>,
    pub payment_count: i64,
    /// Open alerts of the project.
    pub open_alerts: i64,
}

impl ProjectFigures {
    /// 修订后合同价 = original price + approved changes.
    pub fn revised_fen(&self) -> i64 {
        self.contract_price_fen + self.change_fen
    }
    /// Cumulative change as a share of the original price (percent).
    pub fn change_pct(&self) -> f64 {
        pct(self.change_fen, self.contract_price_fen)
    }
    /// Paid as a share of the revised price (percent).
    pub fn paid_pct(&self) -> f64 {
        pct(self.paid_fen, self.revised_fen())
    }
    /// What remains to be paid (negative when overpaid).
    pub fn balance_fen(&self) -> i64 {
        self.revised_fen() - self.paid_fen
    }
}

/// `part` as a percentage of `whole` (0 when the whole is not positive).
pub fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Signed 元 as `+1,234.50` / `-800.00`.
pub fn signed_yuan(fen: i64) -> String {
    let sign = if fen < 0 {
        "-"
    } else if fen > 0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{}", super::Fen(fen.abs()).yuan())
}

/// Signed 万元 as `+12.35` / `-0.80`.
pub fn signed_wan(fen: i64) -> String {
    let sign = if fen < 0 {
        "-"
    } else if fen > 0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{}", super::Fen(fen.abs()).wan())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_add_up() {
        let f = ProjectFigures {
            contract_price_fen: 10_000_000,
            change_fen: 1_200_000,
            paid_fen: 5_600_000,
            ..Default::default()
        };
        assert_eq!(f.revised_fen(), 11_200_000);
        assert!((f.change_pct() - 12.0).abs() < 1e-9);
        assert!((f.paid_pct() - 50.0).abs() < 1e-9);
        assert_eq!(f.balance_fen(), 5_600_000);
        assert_eq!(signed_yuan(-80_000), "-800.00");
        assert_eq!(signed_yuan(123_450), "+1,234.50");
        assert_eq!(pct(5, 0), 0.0);
    }

    #[test]
    fn statuses_read_only_known_codes() {
        for s in [
            RecordStatus::Draft,
            RecordStatus::Submitted,
            RecordStatus::Voided,
        ] {
            assert_eq!(RecordStatus::try_from(s.code().to_string()), Ok(s));
        }
        assert!(RecordStatus::try_from("deleted".to_string()).is_err());
    }
}
