//! Domain types shared by server and browser: parsed, never merely validated.
mod credit_code;
mod date;
pub mod datum;
pub mod evaluation;
mod id_number;
mod mobile;
mod money;
mod password;
pub mod place;
pub mod progress;
pub mod records;
mod text;

pub use credit_code::CreditCode;
pub use date::{excel_serial, parse_date};
pub use id_number::{IdNumber, mask_id};
pub use mobile::Mobile;
pub use money::Fen;
pub use password::NewPassword;
pub use records::{ProjectFigures, RecordStatus};
pub use text::{
    Name, Username, code_text, optional_text, record_line, record_prose, required_text,
};

use serde::{Deserialize, Serialize};

/// What kind of organisation a unit is. Decides which roles its users may have
/// and, for supervisors, what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    ResourceOffice,
    SectorAuthority,
    Owner,
    Contractor,
    SupervisorEngineer,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        Self::ResourceOffice,
        Self::SectorAuthority,
        Self::Owner,
        Self::Contractor,
        Self::SupervisorEngineer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ResourceOffice => "resource_office",
            Self::SectorAuthority => "sector_authority",
            Self::Owner => "owner",
            Self::Contractor => "contractor",
            Self::SupervisorEngineer => "supervisor_engineer",
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| "请选择单位类型".to_string())
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::ResourceOffice => "县资管办",
            Self::SectorAuthority => "行业主管部门",
            Self::Owner => "建设单位",
            Self::Contractor => "施工单位",
            Self::SupervisorEngineer => "监理单位",
        }
    }
}

/// A user's role. The unit kind must fit it (see [`Role::fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Owner,
    KeyPersonnel,
    /// A contractor unit's user (施工单位): reads its own company's
    /// projects, attendance and evaluations, and objects to an evaluation.
    Contractor,
    /// 安全管理员: users, their roles and passwords (三权分立: apart from
    /// system administration and from the trail).
    SecurityAdmin,
    /// 审计管理员: reads and checks the trail; changes nothing.
    AuditAdmin,
}

impl Role {
    /// The roles 等保 calls privileged (system and supervision
    /// administration): a second factor is required of them.
    pub fn is_privileged(self) -> bool {
        matches!(
            self,
            Self::Admin | Self::Supervisor | Self::SecurityAdmin | Self::AuditAdmin
        )
    }

    pub const ALL: [Role; 7] = [
        Self::Admin,
        Self::SecurityAdmin,
        Self::AuditAdmin,
        Self::Supervisor,
        Self::Owner,
        Self::KeyPersonnel,
        Self::Contractor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Owner => "owner",
            Self::KeyPersonnel => "key_personnel",
            Self::Contractor => "contractor",
            Self::SecurityAdmin => "security_admin",
            Self::AuditAdmin => "audit_admin",
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| "请选择角色".to_string())
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "系统管理员",
            Self::Supervisor => "监管人员",
            Self::Owner => "建设单位经办人",
            Self::KeyPersonnel => "关键人员",
            Self::Contractor => "施工单位用户",
            Self::SecurityAdmin => "安全管理员",
            Self::AuditAdmin => "审计管理员",
        }
    }
    /// Administrators sit in the resource office; supervisors in the office or
    /// a sector authority; owner users in owner units; key personnel in
    /// contractors and supervising engineers (总监理工程师).
    pub fn fits(self, kind: UnitKind) -> bool {
        matches!(
            (self, kind),
            (
                Self::Admin | Self::SecurityAdmin | Self::AuditAdmin,
                UnitKind::ResourceOffice
            ) | (
                Self::Supervisor,
                UnitKind::ResourceOffice | UnitKind::SectorAuthority
            ) | (Self::Owner, UnitKind::Owner)
                | (
                    Self::KeyPersonnel | Self::Contractor,
                    UnitKind::Contractor | UnitKind::SupervisorEngineer
                )
        )
    }
}

/// Sectors that a sector authority supervises and a project belongs to.
pub const SECTORS: [(&str, &str); 5] = [
    ("housing", "住建"),
    ("transport", "交通"),
    ("water", "水利"),
    ("agriculture", "农业农村"),
    ("other", "其他"),
];

pub fn sector_label(code: &str) -> &'static str {
    label_of(&SECTORS, code)
}

/// Tender methods as the trading platform names them.
pub const TENDER_METHODS: [(&str, &str); 7] = [
    ("open", "公开招标"),
    ("invited", "邀请招标"),
    ("negotiation", "竞争性谈判"),
    ("consultation", "竞争性磋商"),
    ("inquiry", "询价"),
    ("single_source", "单一来源"),
    ("other", "其他"),
];

/// Roles on a key personnel roster. `pm` (项目经理) is required on every
/// roster; `chief_supervisor` belongs to the supervising engineer unit.
pub const ROSTER_ROLES: [(&str, &str); 9] = [
    ("pm", "项目经理"),
    ("project_lead", "项目负责人"),
    ("technical_lead", "技术负责人"),
    ("safety_officer", "安全员"),
    ("quality_officer", "质量员"),
    ("construction_officer", "施工员"),
    ("chief_supervisor", "总监理工程师"),
    ("supervising_engineer", "专业监理工程师"),
    ("other", "其他"),
];

/// Kinds of filing attachments; a submitted filing has the first two.
pub const ATTACHMENT_KINDS: [(&str, &str); 3] = [
    ("contract", "合同扫描件"),
    ("award_notice", "中标通知书"),
    ("other", "其他附件"),
];

/// The label of `code` in one of the (code, label) lists, or "—".
pub fn label_of(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("—")
}

/// A code from a list given either its code or its Chinese label (imports
/// carry labels, forms carry codes).
pub fn code_of(list: &[(&'static str, &'static str)], input: &str) -> Option<&'static str> {
    let s = input.trim();
    list.iter()
        .find(|(c, l)| *c == s || *l == s)
        .map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.code()).unwrap(), k);
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn roles_fit_unit_kinds() {
        assert!(Role::Owner.fits(UnitKind::Owner));
        assert!(!Role::Owner.fits(UnitKind::Contractor));
        assert!(Role::Supervisor.fits(UnitKind::SectorAuthority));
        assert!(!Role::Admin.fits(UnitKind::Owner));
        assert!(Role::KeyPersonnel.fits(UnitKind::SupervisorEngineer));
    }

    #[test]
    fn lists_take_codes_or_labels() {
        assert_eq!(code_of(&TENDER_METHODS, "公开招标"), Some("open"));
        assert_eq!(code_of(&SECTORS, "transport"), Some("transport"));
        assert_eq!(code_of(&SECTORS, "航天"), None);
        assert_eq!(label_of(&ROSTER_ROLES, "pm"), "项目经理");
    }
}

/// A filing's state: a draft the owner is completing, or submitted (已备案),
/// after which changes are corrections with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    Draft,
    Submitted,
}

impl FilingStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已备案",
        }
    }
}

/// Reads the stored code (rows map through it with `#[sqlx(try_from = "String")]`).
impl TryFrom<String> for FilingStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "draft" => Ok(Self::Draft),
            "submitted" => Ok(Self::Submitted),
            other => Err(format!("unknown filing status {other}")),
        }
    }
}

/// What a tender section buys: it decides the filing's fields and the roster
/// role that must be on it (the lead whose attendance the county counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// 施工: a construction contract, led by its 项目经理.
    Construction,
    /// 监理: a supervision contract; the winner is the supervising engineer
    /// unit, led by its 总监理工程师.
    Supervision,
    /// 勘察/设计, led by its 项目负责人.
    SurveyDesign,
    /// 其他 (e.g. 造价咨询), led by its 项目负责人.
    Other,
}

impl SectionKind {
    pub const ALL: [SectionKind; 4] = [
        Self::Construction,
        Self::Supervision,
        Self::SurveyDesign,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Construction => "construction",
            Self::Supervision => "supervision",
            Self::SurveyDesign => "survey_design",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Construction => "施工",
            Self::Supervision => "监理",
            Self::SurveyDesign => "勘察/设计",
            Self::Other => "其他",
        }
    }

    /// The stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// 标段类型 as files and the platform write it (label or code).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        match t {
            "施工" | "施工标" => Ok(Self::Construction),
            "监理" | "监理标" => Ok(Self::Supervision),
            "勘察/设计" | "勘察设计" | "勘察" | "设计" | "勘察标" | "设计标" => {
                Ok(Self::SurveyDesign)
            }
            "其他" => Ok(Self::Other),
            _ => {
                Self::from_code(t).ok_or_else(|| "标段类型应为：施工、监理、勘察/设计、其他".into())
            }
        }
    }

    /// Without a 标段类型, the section name decides: a name with 监理 is a
    /// supervision section, one with 勘察 or 设计 a survey/design section,
    /// anything else construction (the README states this rule).
    pub fn infer(section_name: &str) -> Self {
        if section_name.contains("监理") {
            Self::Supervision
        } else if section_name.contains("勘察") || section_name.contains("设计") {
            Self::SurveyDesign
        } else {
            Self::Construction
        }
    }

    /// The roster role a submitted filing of this kind must have.
    pub fn lead_role(self) -> &'static str {
        match self {
            Self::Construction => "pm",
            Self::Supervision => "chief_supervisor",
            Self::SurveyDesign | Self::Other => "project_lead",
        }
    }
}

impl TryFrom<String> for SectionKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::from_code(&s).ok_or_else(|| format!("unknown section kind {s}"))
    }
}

#[cfg(test)]
mod section_kind_tests {
    use super::SectionKind;

    #[test]
    fn kinds_come_from_the_column_or_the_name() {
        assert_eq!(SectionKind::parse("监理"), Ok(SectionKind::Supervision));
        assert_eq!(
            SectionKind::parse("勘察设计"),
            Ok(SectionKind::SurveyDesign)
        );
        assert!(SectionKind::parse("施工总承包").is_err());
        assert_eq!(SectionKind::infer("监理标"), SectionKind::Supervision);
        assert_eq!(SectionKind::infer("勘察设计标"), SectionKind::SurveyDesign);
        assert_eq!(SectionKind::infer("施工标"), SectionKind::Construction);
        assert_eq!(SectionKind::Supervision.lead_role(), "chief_supervisor");
    }
}
