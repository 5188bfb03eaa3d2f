//! 统一社会信用代码 (GB 32100-2015).
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters the standard allows (no I, O, Z, S, V).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("请填写统一社会信用代码".into());
        }
        if code.chars().count() != 18 {
            return Err("统一社会信用代码应为18位".into());
        }
        let mut values = Vec::with_capacity(18);
        for c in code.bytes() {
            match CHARSET.iter().position(|&x| x == c) {
                Some(v) => values.push(v as u32),
                None => {
                    return Err("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）".into());
                }
            }
        }
        if values[17] != check_value(&values[..17]) {
            return Err("统一社会信用代码校验位不正确，请核对".into());
        }
        Ok(Self(code))
    }

    /// Appends the check character to a 17-character body (used for demo data).
    pub fn with_check(body17: &str) -> Option<Self> {
        let values: Option<Vec<u32>> = body17
            .bytes()
            .map(|c| CHARSET.iter().position(|&x| x == c).map(|v| v as u32))
            .collect();
        let values = values.filter(|v| v.len() == 17)?;
        let check = CHARSET[check_value(&values) as usize] as char;
        Some(Self(format!("{body17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_value(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}
impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes of real organisations, as printed on their licences.
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn lower_case_and_spaces_are_normalised() {
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn wrong_check_character_is_rejected() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert!(err.contains("校验位"));
    }

    #[test]
    fn wrong_length_forbidden_letters_and_empty_are_rejected() {
        assert!(CreditCode::parse("").unwrap_err().contains("请填写"));
        assert!(
            CreditCode::parse("91350100M000100Y4")
                .unwrap_err()
                .contains("18位")
        );
        assert!(
            CreditCode::parse("91350100M000100I43")
                .unwrap_err()
                .contains("字符")
        );
        assert!(CreditCode::parse("9135010😀M000100Y4").is_err());
        assert!(CreditCode::parse("'; DROP TABLE units;--").is_err());
    }

    #[test]
    fn with_check_builds_valid_codes() {
        let c = CreditCode::with_check("11330326MB0000001").unwrap();
        assert!(CreditCode::parse(c.as_str()).is_ok());
        assert!(CreditCode::with_check("short").is_none());
    }
}
