//! Domain types shared by server and browser: parsed, never merely validated.
mod credit_code;
mod mobile;
mod password;
mod text;

pub use credit_code::CreditCode;
pub use mobile::Mobile;
pub use password::NewPassword;
pub use text::{Name, Username, optional_text};

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
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [
        Self::ResourceOffice,
        Self::SectorAuthority,
        Self::Owner,
        Self::Contractor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ResourceOffice => "resource_office",
            Self::SectorAuthority => "sector_authority",
            Self::Owner => "owner",
            Self::Contractor => "contractor",
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
            Self::KeyPersonnel => "施工单位关键人员",
        }
    }
    /// Administrators sit in the resource office; supervisors in the office or
    /// a sector authority; owner users in owner units; key personnel in contractors.
    pub fn fits(self, kind: UnitKind) -> bool {
        matches!(
            (self, kind),
            (Self::Admin, UnitKind::ResourceOffice)
                | (
                    Self::Supervisor,
                    UnitKind::ResourceOffice | UnitKind::SectorAuthority
                )
                | (Self::Owner, UnitKind::Owner)
                | (Self::KeyPersonnel, UnitKind::Contractor)
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
    SECTORS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("—")
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
    }
}
