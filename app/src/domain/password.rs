//! Password policy for accounts.
use std::fmt;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 64;

/// A password that meets the policy. Deliberately not `Serialize` and with a
/// redacting `Debug`, so it cannot end up in a log or a response.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// At least 10 characters, at most 64, printable ASCII without spaces,
    /// three of the four classes (lower, upper, digit, symbol), and not
    /// containing the login name.
    pub fn parse(input: &str, username: &str) -> Result<Self, String> {
        let len = input.chars().count();
        if len == 0 {
            return Err("请填写新密码".into());
        }
        if len < MIN_LEN {
            return Err(format!("密码至少 {MIN_LEN} 位"));
        }
        if len > MAX_LEN {
            return Err(format!("密码不能超过 {MAX_LEN} 位"));
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("密码不能包含空格或控制字符".into());
        }
        // Printable ASCII only: typable on every keyboard and phone, and the
        // "symbol" class means what people think it means.
        if !input.chars().all(|c| c.is_ascii_graphic()) {
            return Err("密码只能使用英文字母、数字和英文符号".into());
        }
        let classes = [
            input.chars().any(|c| c.is_ascii_lowercase()),
            input.chars().any(|c| c.is_ascii_uppercase()),
            input.chars().any(|c| c.is_ascii_digit()),
            input.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|&&b| b).count() < 3 {
            return Err("密码须包含大写字母、小写字母、数字、符号中的至少三类".into());
        }
        let name = username.trim().to_lowercase();
        if name.len() >= 3 && input.to_lowercase().contains(&name) {
            return Err("密码不能包含用户名".into());
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strong_passwords() {
        assert!(NewPassword::parse("Pingyang@2026", "admin").is_ok());
        assert!(NewPassword::parse("abcdef1234!", "admin").is_ok());
    }

    #[test]
    fn rejects_short_long_and_weak() {
        assert!(NewPassword::parse("", "u").unwrap_err().contains("请填写"));
        assert!(
            NewPassword::parse("Ab1!", "u")
                .unwrap_err()
                .contains("至少")
        );
        assert!(
            NewPassword::parse(&"Ab1!".repeat(20), "u")
                .unwrap_err()
                .contains("超过")
        );
        assert!(
            NewPassword::parse("abcdefghijk", "u")
                .unwrap_err()
                .contains("三类")
        );
        assert!(
            NewPassword::parse("abcdefgh123", "u")
                .unwrap_err()
                .contains("三类")
        );
        assert!(
            NewPassword::parse("Abc def 123!", "u")
                .unwrap_err()
                .contains("空格")
        );
    }

    #[test]
    fn rejects_the_login_name_inside() {
        assert!(
            NewPassword::parse("Zhangsan@2026", "zhangsan")
                .unwrap_err()
                .contains("用户名")
        );
    }

    #[test]
    fn debug_does_not_show_the_password() {
        let p = NewPassword::parse("Pingyang@2026", "admin").unwrap();
        assert!(!format!("{p:?}").contains("Pingyang"));
    }
}
