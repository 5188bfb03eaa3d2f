//! Multipart form posts (file uploads) for plain axum handlers. Uploads are
//! ordinary HTML forms, so they work without JavaScript; the handler answers
//! with a redirect back to a page that shows the outcome.
use axum::extract::Multipart;
use std::collections::HashMap;

/// The parts of an upload form: its one file and its text fields.
#[derive(Debug, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: HashMap<String, String>,
}

/// Why an upload could not be read (shown to the person at the file field).
#[derive(Debug, PartialEq)]
pub enum UploadError {
    NoFile,
    /// A file was chosen but holds no bytes.
    Empty,
    TooLarge(usize),
    Broken,
}

impl UploadError {
    pub fn message(&self) -> String {
        match self {
            Self::NoFile => "请选择要上传的文件".into(),
            Self::Empty => "所选文件是空的（0 字节），请重新选择".into(),
            Self::TooLarge(max) if *max >= 1024 * 1024 => {
                format!("文件超过 {} MB 的上限", max / 1024 / 1024)
            }
            Self::TooLarge(max) => format!("文件超过 {} KB 的上限", max / 1024),
            Self::Broken => "上传中断，请重试".into(),
        }
    }
}

/// Reads the form, keeping at most `max` bytes of the file field `file`.
pub async fn read(form: Multipart, max: usize) -> Result<Upload, UploadError> {
    match read_any(form, max).await? {
        (up, true, _) => Ok(up),
        (_, false, true) => Err(UploadError::Empty),
        (_, false, false) => Err(UploadError::NoFile),
    }
}

/// A form whose file is optional: no file chosen gives empty bytes; a file
/// chosen but empty is refused.
pub async fn read_optional(form: Multipart, max: usize) -> Result<Upload, UploadError> {
    match read_any(form, max).await? {
        (_, false, true) => Err(UploadError::Empty),
        (up, ..) => Ok(up),
    }
}

/// The form's fields and file, whether a file came and whether one was chosen.
async fn read_any(mut form: Multipart, max: usize) -> Result<(Upload, bool, bool), UploadError> {
    let mut up = Upload::default();
    let (mut has_file, mut chose_file) = (false, false);
    // axum reports a body over the route's limit as a multipart error with
    // status 413, wherever the reading stops: that is the cause to name.
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge(max)
        } else {
            UploadError::Broken
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            up.file_name = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '<' | '>' | '"'))
                .take(120)
                .collect();
            chose_file |= !up.file_name.is_empty();
            while let Some(chunk) = field.chunk().await.map_err(failed)? {
                if up.bytes.len() + chunk.len() > max {
                    return Err(UploadError::TooLarge(max));
                }
                up.bytes.extend_from_slice(&chunk);
            }
            has_file = !up.bytes.is_empty();
        } else {
            let text = field.text().await.map_err(failed)?;
            up.fields.insert(name, text.chars().take(2000).collect());
        }
    }
    Ok((up, has_file, chose_file))
}

/// `?error=…` for a redirect back to the form (percent-encoded).
pub fn error_query(message: &str) -> String {
    let enc: String = message
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("error={enc}")
}
