//! The one error type every server function returns.
//!
//! It is serialised to the browser, so it carries only what a person may read:
//! database and I/O failures become [`AppError::Internal`] after being logged
//! on the server.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Messages keyed by form field name (`"credit_code"` → "校验位不正确").
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthenticated,
    #[error("您无权进行此操作")]
    Forbidden,
    #[error("记录不存在")]
    NotFound,
    /// Bad input. `fields` are shown at the fields, `message` above the form.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: FieldErrors,
    },
    /// The record changed since the form was loaded (another user, or a
    /// second submit of the same form): nothing was written.
    #[error("该记录已被他人修改，请刷新后重试")]
    Conflict,
    /// A request no form of ours sends (arguments that do not parse): a
    /// plain message, never the parser's words.
    #[error("{0}")]
    BadRequest(String),
    /// Too many attempts from here, or the server too busy for this one.
    #[error("{0}")]
    TooMany(String),
    #[error("服务器内部错误，请稍后重试")]
    Internal,
    /// Transport problems (network down, server function missing).
    #[error("网络或服务异常：{0}")]
    Transport(String),
}

impl AppError {
    /// One field is wrong.
    pub fn field(name: &str, msg: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), msg.into());
        Self::fields(fields)
    }

    /// Several fields are wrong; the summary counts them.
    pub fn fields(fields: FieldErrors) -> Self {
        Self::Invalid {
            message: format!("有 {} 处填写有误，请按提示修改", fields.len()),
            fields,
        }
    }

    /// A form-level message with no single field at fault.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            Self::Invalid { fields, .. } => Some(fields),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict => StatusCode::CONFLICT,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The client sent what does not parse: its fault, said plainly
            // (the parser's message may quote internals).
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                Self::BadRequest("请求格式不正确，请刷新页面后重试".into())
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

/// Collects field errors while parsing a form, so that every wrong field is
/// reported at once rather than one per submit.
#[derive(Default)]
pub struct Check(FieldErrors);

impl Check {
    pub fn new() -> Self {
        Self::default()
    }
    /// Keeps the value if it parsed; records the message under `field` if not.
    pub fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.entry(field.to_string()).or_insert(e);
                None
            }
        }
    }
    pub fn fail(&mut self, field: &str, msg: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert(msg.into());
    }
    /// `Ok(())` when nothing failed; the values taken are then all `Some`.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(self.0))
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        // Logged here, once, with the cause; the client sees only "internal".
        tracing::error!(error = %e, "database error");
        Self::Internal
    }
}
