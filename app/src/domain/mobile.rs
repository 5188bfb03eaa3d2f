//! Mainland China mobile numbers.
use serde::{Deserialize, Serialize};

/// An 11-digit mainland mobile number (1[3-9]x xxxx xxxx).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(input: &str) -> Result<Self, String> {
        // People paste numbers with spaces, dashes or a +86 prefix.
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        if digits.is_empty() {
            return Err("请填写手机号码".into());
        }
        let bytes = digits.as_bytes();
        let ok = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if !ok {
            return Err("手机号码应为11位大陆手机号，如 13812345678".into());
        }
        Ok(Self(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 138****5678: what lists show to people who do not need the number.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl TryFrom<String> for Mobile {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Mobile> for String {
    fn from(m: Mobile) -> String {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        assert_eq!(
            Mobile::parse("13812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Mobile::parse("+86 138-1234-5678").unwrap().as_str(),
            "13812345678"
        );
    }

    #[test]
    fn rejects_bad_numbers() {
        for bad in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "1381234567a",
            "１３８１２３４５６７８",
            "<script>",
        ] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(
            Mobile::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
    }
}
