//! Names people type: unit names, display names, login names.
use serde::{Deserialize, Serialize};

/// A display name (unit name, person's name): trimmed, 1..=max characters,
/// Chinese characters, letters, digits and the punctuation that real names use.
/// Emoji, markup and quotes are refused rather than escaped: they never belong
/// in the name of a unit or a person.
/// Serialised as text; never deserialised (its parser needs the field's
/// name and limit), so a client cannot send one around [`Name::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name(String);

const NAME_PUNCTUATION: &str = " ()（）·-—_.、&";

impl Name {
    pub fn parse(input: &str, what: &str, max: usize) -> Result<Self, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err(format!("请填写{what}"));
        }
        if s.chars().count() > max {
            return Err(format!("{what}不能超过 {max} 个字"));
        }
        if let Some(bad) = s.chars().find(|&c| !name_char(c)) {
            return Err(format!("{what}含有不允许的字符“{bad}”"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || NAME_PUNCTUATION.contains(c)
        || ('\u{4E00}'..='\u{9FFF}').contains(&c) // CJK unified ideographs
        || ('\u{3400}'..='\u{4DBF}').contains(&c) // extension A (rare surnames)
}

/// A login name: 3–32 of a–z, 0–9, `_` and `.`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Username(String);

impl TryFrom<String> for Username {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("请填写用户名".into());
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if !ok_chars || !(3..=32).contains(&s.len()) {
            return Err("用户名为 3–32 位小写字母、数字、下划线或点".into());
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional free text (remarks): at most `max` characters, no control characters.
pub fn optional_text(input: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max {
        return Err(format!("{what}不能超过 {max} 个字"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("{what}含有控制字符"));
    }
    if s.chars().any(invisible) {
        return Err(format!(
            "{what}含有不可见的格式字符（如文字方向控制符），请删除后重新输入"
        ));
    }
    Ok(Some(s.to_string()))
}

/// Invisible format characters (Unicode Cf that text needs none of): bidi
/// overrides and isolates make a list show text reversed (U+202E turns
/// "合同ABC" into something else on screen), zero-width ones hide
/// differences between two codes that look the same.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// Required free text (project and section names, contract numbers): 1..=max
/// characters, no control characters and no markup brackets.
pub fn required_text(input: &str, what: &str, max: usize) -> Result<String, String> {
    match optional_text(input, what, max)? {
        None => Err(format!("请填写{what}")),
        Some(s) if s.contains(['<', '>', '\n']) => Err(format!("{what}不能含有 < > 或换行")),
        Some(s) => Ok(s),
    }
}

/// Emoji and pictographs: they do not belong in an official record, and
/// some Excel and archive tools drop or garble them.
fn pictograph(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{FE0F}')
}

/// A one-line entry of a record (a title, a document number, a body's name):
/// as [`required_text`], and no emoji.
pub fn record_line(input: &str, what: &str, max: usize) -> Result<String, String> {
    let s = required_text(input, what, max)?;
    no_pictographs(&s, what)?;
    Ok(s)
}

/// Prose of a record (content, reasons): several lines allowed, no markup
/// brackets, no emoji. `None` when empty.
pub fn record_prose(input: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let Some(s) = optional_text(input, what, max)? else {
        return Ok(None);
    };
    if s.contains(['<', '>']) {
        return Err(format!("{what}不能含有 < >"));
    }
    no_pictographs(&s, what)?;
    Ok(Some(s))
}

fn no_pictographs(s: &str, what: &str) -> Result<(), String> {
    match s.chars().find(|&c| pictograph(c)) {
        Some(c) => Err(format!("{what}不能含有表情符号“{c}”")),
        None => Ok(()),
    }
}

/// A code from another system (project code, section code): 1..=40 of
/// letters, digits, `-`, `_`, `.` and `/`.
pub fn code_text(input: &str, what: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err(format!("请填写{what}"));
    }
    let ok = s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if !ok {
        return Err(format!("{what}应为 1–40 位字母、数字或 - _ . /"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_names() {
        assert!(Name::parse("平阳县住房和城乡建设局", "单位名称", 60).is_ok());
        assert!(Name::parse("浙江鳌江建设集团有限公司（平阳分公司）", "单位名称", 60).is_ok());
        assert!(Name::parse("欧阳·娜娜", "姓名", 20).is_ok());
    }

    #[test]
    fn rejects_empty_long_emoji_markup_and_sql() {
        assert!(
            Name::parse("   ", "单位名称", 60)
                .unwrap_err()
                .contains("请填写")
        );
        assert!(
            Name::parse(&"建".repeat(61), "单位名称", 60)
                .unwrap_err()
                .contains("超过")
        );
        assert!(
            Name::parse("建设局😀", "单位名称", 60)
                .unwrap_err()
                .contains("😀")
        );
        assert!(Name::parse("<script>alert(1)</script>", "单位名称", 60).is_err());
        assert!(Name::parse("x'; DROP TABLE units;--", "单位名称", 60).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Admin ").unwrap().as_str(), "admin");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn optional_text_bounds() {
        assert_eq!(optional_text("  ", "备注", 10).unwrap(), None);
        assert!(optional_text(&"字".repeat(11), "备注", 10).is_err());
        assert!(required_text(" ", "项目名称", 10).is_err());
        assert!(required_text("<b>x</b>", "项目名称", 10).is_err());
        assert_eq!(
            required_text(" 1#楼（一期） ", "项目名称", 10).unwrap(),
            "1#楼（一期）"
        );
        for sneaky in [
            "合同\u{202E}CBA",
            "PYRM\u{200B}-018",
            "\u{2066}项目\u{2069}",
            "\u{FEFF}标段",
        ] {
            let e = required_text(sneaky, "合同编号", 50).unwrap_err();
            assert!(e.contains("不可见的格式字符"), "{sneaky:?}: {e}");
        }
        assert!(
            record_line("变更😀", "变更标题", 50)
                .unwrap_err()
                .contains("表情")
        );
        assert!(
            record_prose("<img src=x>", "变更内容", 50)
                .unwrap_err()
                .contains("< >")
        );
        assert_eq!(
            record_prose("第一行\n第二行", "变更内容", 50)
                .unwrap()
                .as_deref(),
            Some("第一行\n第二行")
        );
        assert_eq!(record_prose("  ", "变更内容", 50).unwrap(), None);
        assert!(code_text("PY-2024-001", "项目编号").is_ok());
        assert!(code_text("PY 2024", "项目编号").is_err());
        assert!(code_text("", "项目编号").is_err());
    }
}
