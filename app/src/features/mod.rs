//! One module per feature: shared types and server functions in `mod.rs`,
//! pages in `pages.rs`, server-only logic in `service.rs`.
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod filings;
pub mod home;
pub mod units;
pub mod users;
