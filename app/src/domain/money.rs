//! Money in CNY, held as integer fen (分); never floats.
use serde::{Deserialize, Serialize};

/// A non-negative amount in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64")]
pub struct Fen(pub i64);

/// Deserialising checks the range as parsing does (a client cannot send a
/// negative or absurd amount around [`Fen::parse_yuan`]).
impl TryFrom<i64> for Fen {
    type Error = String;
    fn try_from(fen: i64) -> Result<Self, String> {
        if (0..=MAX_FEN).contains(&fen) {
            Ok(Self(fen))
        } else {
            Err("金额超出合理范围".into())
        }
    }
}

/// The largest amount we accept: 1,000 亿元, far above any county contract.
const MAX_FEN: i64 = 10_000_000_000_000;

impl Fen {
    /// Parses 元 as people type them: `1234567.8`, `1,234,567.80`, `１２３`
    /// is refused. At most two decimals; must be greater than zero.
    pub fn parse_yuan(input: &str, what: &str) -> Result<Self, String> {
        let s: String = input
            .trim()
            .chars()
            .filter(|&c| c != ',' && c != '，')
            .collect();
        let s = s.strip_suffix('元').unwrap_or(&s).trim();
        if s.is_empty() {
            return Err(format!("请填写{what}"));
        }
        if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('－')) {
            // "-5": a number, but not an amount a contract can have.
            if rest.trim().bytes().any(|b| b.is_ascii_digit()) {
                return Err(format!("{what}须大于 0"));
            }
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits_only = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_only(int) || !digits_only(frac) {
            return Err(format!("{what}应为数字（元），如 1234567.89"));
        }
        if frac.len() > 2 {
            return Err(format!("{what}最多保留两位小数"));
        }
        if int.len() > 12 {
            return Err(format!("{what}超出合理范围"));
        }
        let int: i64 = int.parse().map_err(|_| format!("{what}超出合理范围"))?;
        let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
        let fen = int * 100 + frac;
        if fen <= 0 {
            return Err(format!("{what}须大于 0"));
        }
        if fen > MAX_FEN {
            return Err(format!("{what}超出合理范围"));
        }
        Ok(Self(fen))
    }

    /// A signed amount in 元 (a change's price delta: `-12,000`, `+5000.5`,
    /// `0`), as fen. The magnitude follows [`Fen::parse_yuan`]'s rules.
    pub fn parse_delta(input: &str, what: &str) -> Result<i64, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err(format!("请填写{what}（无变化填 0）"));
        }
        let (negative, rest) = match s.strip_prefix(['-', '－']) {
            Some(r) => (true, r),
            None => (false, s.strip_prefix(['+', '＋']).unwrap_or(s)),
        };
        let plain: String = rest.chars().filter(|&c| c != ',' && c != '，').collect();
        let plain = plain.strip_suffix('元').unwrap_or(&plain).trim();
        let (int, frac) = plain.split_once('.').unwrap_or((plain, ""));
        let zeros = |t: &str| t.bytes().all(|b| b == b'0');
        if !int.is_empty() && zeros(int) && frac.len() <= 2 && zeros(frac) {
            return Ok(0);
        }
        let fen = Self::parse_yuan(rest, what)
            .map_err(|e| e.replace("须大于 0", "格式不正确"))?
            .0;
        Ok(if negative { -fen } else { fen })
    }

    /// `1,234,567.89` (元, two decimals).
    pub fn yuan(self) -> String {
        let (int, frac) = (self.0 / 100, self.0 % 100);
        let digits = int.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{out}.{frac:02}")
    }

    /// `123.46` (万元, two decimals, rounded half up), as officials read it.
    pub fn wan(self) -> String {
        let hundredths = (self.0 + 50) / 100; // 元, rounded
        let w = (hundredths * 100 + 5_000) / 10_000; // 万元 × 100
        format!("{}.{:02}", w / 100, w % 100)
    }

    /// `1234567.89`: the value an edit form starts with.
    pub fn plain(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan() {
        assert_eq!(
            Fen::parse_yuan("1234567.89", "价").unwrap(),
            Fen(123_456_789)
        );
        assert_eq!(
            Fen::parse_yuan(" 1,234,567.8 ", "价").unwrap(),
            Fen(123_456_780)
        );
        assert_eq!(Fen::parse_yuan("100元", "价").unwrap(), Fen(10_000));
        assert_eq!(Fen::parse_yuan("0.01", "价").unwrap(), Fen(1));
    }

    #[test]
    fn refuses_bad_amounts() {
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "1.234",
            "1e6",
            "abc",
            "１２",
            "1.2.3",
            ".5",
            "9999999999999",
        ] {
            assert!(Fen::parse_yuan(bad, "合同价").is_err(), "{bad}");
        }
        assert!(
            Fen::parse_yuan("", "合同价")
                .unwrap_err()
                .contains("请填写合同价")
        );
    }

    #[test]
    fn a_negative_amount_is_called_so() {
        assert_eq!(
            Fen::parse_yuan("-5", "合同价").unwrap_err(),
            "合同价须大于 0"
        );
        assert_eq!(
            Fen::parse_yuan("-1,000.50", "合同价").unwrap_err(),
            "合同价须大于 0"
        );
    }

    #[test]
    fn deltas_are_signed() {
        assert_eq!(Fen::parse_delta("-12,000", "变更金额"), Ok(-1_200_000));
        assert_eq!(Fen::parse_delta("+5000.5", "变更金额"), Ok(500_050));
        assert_eq!(Fen::parse_delta("0", "变更金额"), Ok(0));
        assert_eq!(Fen::parse_delta("0.00", "变更金额"), Ok(0));
        for bad in ["", "--5", "abc", "1.234", "-", "1e5", "９"] {
            assert!(Fen::parse_delta(bad, "变更金额").is_err(), "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Fen(123_456_789).yuan(), "1,234,567.89");
        assert_eq!(Fen(5).yuan(), "0.05");
        assert_eq!(Fen(123_456_789).wan(), "123.46");
        assert_eq!(Fen(123_456_789).plain(), "1234567.89");
    }
}
