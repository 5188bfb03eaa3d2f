//! 标后履约监管: components, server functions and shared types.
//!
//! - `domain`: parsed value types (credit code, mobile, password, roles).
//! - `features`: one module per feature (auth, units, users, audit, …).
//! - `kit`: the form, table, layout and history components every feature uses.
//! - `platform` (server only): settings, database, audit trail, sessions, actor.
pub mod app;
pub mod domain;
pub mod error;
pub mod features;
pub mod fmt;
pub mod kit;
#[cfg(feature = "ssr")]
pub mod platform;

pub use app::{App, shell};
