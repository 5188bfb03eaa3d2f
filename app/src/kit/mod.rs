//! The UI kits every feature builds on: forms, tables, the shell, history.
#[cfg(feature = "ssr")]
pub mod export;
pub mod form;
pub mod layout;
pub mod records;
pub mod status;
pub mod table;
