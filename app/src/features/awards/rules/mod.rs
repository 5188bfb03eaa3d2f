//! The award rules (one file each).
pub mod unfiled;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[&unfiled::Unfiled];
