//! The UI kits every feature builds on: forms, tables, the shell, history.
pub mod chart;
#[cfg(feature = "ssr")]
pub mod export;
pub mod form;
pub mod layout;
pub mod map;
pub mod records;
pub mod status;
pub mod table;
