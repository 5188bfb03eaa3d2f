//! Resident identity numbers (居民身份证号码, GB 11643-1999).
use serde::{Deserialize, Serialize};

/// An 18-character resident ID number with a valid birth date and check
/// character (ISO 7064 MOD 11-2). Stored upper-case (`X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err("请填写身份证号码".into());
        }
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err("身份证号码应为18位：前17位数字，末位数字或X".into());
        }
        let date = &s[6..14];
        if chrono::NaiveDate::parse_from_str(date, "%Y%m%d")
            .ok()
            .filter(|d| d.format("%Y").to_string().as_str() >= "1900")
            .is_none()
        {
            return Err("身份证号码中的出生日期无效".into());
        }
        Self::with_check(&s[..17])
            .filter(|v| v.0 == s)
            .ok_or_else(|| "身份证号码校验位不正确，请核对".to_string())
    }

    /// The full number for a 17-digit body (demo and test data).
    pub fn with_check(body: &str) -> Option<Self> {
        let digits: Vec<u32> = body
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()?;
        if digits.len() != 17 {
            return None;
        }
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        Some(Self(format!(
            "{body}{}",
            CHECK[(sum % 11) as usize] as char
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 330326********1234: what lists show.
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// Masks an ID number read back from storage (keeps region and last four).
pub fn mask_id(s: &str) -> String {
    if s.len() == 18 && s.is_ascii() {
        format!("{}********{}", &s[..6], &s[14..])
    } else {
        "******".into()
    }
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<IdNumber> for String {
    fn from(v: IdNumber) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers() {
        // The GB 11643 standard's own example.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("11010519491231002x").is_ok());
        let made = IdNumber::with_check("33032619800101123").unwrap();
        assert_eq!(IdNumber::parse(made.as_str()).unwrap(), made);
    }

    #[test]
    fn refuses_bad_numbers() {
        assert!(IdNumber::parse("").unwrap_err().contains("请填写"));
        assert!(
            IdNumber::parse("110105194912310021")
                .unwrap_err()
                .contains("校验位")
        );
        assert!(
            IdNumber::parse("11010519491331002X")
                .unwrap_err()
                .contains("出生日期")
        );
        assert!(
            IdNumber::parse("1101051949123100")
                .unwrap_err()
                .contains("18位")
        );
        assert!(IdNumber::parse("11010519491231002Ｘ").is_err());
        assert!(IdNumber::parse("<script>alert(1)</script>").is_err());
    }

    #[test]
    fn masks() {
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().masked(),
            "110105********002X"
        );
        assert_eq!(mask_id("bad"), "******");
    }
}
