//! The UI kits every feature builds on: forms, tables, the shell, history.
pub mod form;
pub mod history;
pub mod layout;
pub mod status;
pub mod table;
