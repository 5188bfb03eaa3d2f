//! Domain types shared by server and browser: parsed, never merely validated.
mod credit_code;
mod date;
pub mod datum;
mod id_number;
mod mobile;
mod money;
mod password;
mod text;

pub use credit_code::CreditCode;
pub use date::{excel_serial, parse_date};
pub use id_number::{IdNumber, mask_id};
pub use mobile::Mobile;
pub use money::Fen;
pub use password::NewPassword;
pub use text::{Name, Username, code_text, optional_text, required_text};

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
}

impl Role {
    pub const ALL: [Role; 4] = [
        Self::Admin,
        Self::Supervisor,
        Self::Owner,
        Self::KeyPersonnel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Owner => "owner",
            Self::KeyPersonnel => "key_personnel",
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
        }
    }
    /// Administrators sit in the resource office; supervisors in the office or
    /// a sector authority; owner users in owner units; key personnel in
    /// contractors and supervising engineers (总监理工程师).
    pub fn fits(self, kind: UnitKind) -> bool {
        matches!(
            (self, kind),
            (Self::Admin, UnitKind::ResourceOffice)
                | (
                    Self::Supervisor,
                    UnitKind::ResourceOffice | UnitKind::SectorAuthority
                )
                | (Self::Owner, UnitKind::Owner)
                | (
                    Self::KeyPersonnel,
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
pub const ROSTER_ROLES: [(&str, &str); 8] = [
    ("pm", "项目经理"),
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
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
        }
    }

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
