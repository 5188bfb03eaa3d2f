//! Integration tests: services and HTTP against real SQLite and PostgreSQL.
//! One binary (faster to link); every test gets a fresh database per backend.
mod alerts_list;
mod attendance;
mod attendance_http;
mod audit;
mod auth;
mod backup;
mod concurrency;
mod evaluations;
mod exports;
mod filing_rules;
mod filings;
mod filings_http;
mod helpers;
mod http;
mod matrix;
mod money;
mod money_http;
mod orders;
mod personnel;
mod progress;
mod rule_settings;
mod security_events;
mod security_http;
mod supervision;
mod supervision_views;
mod units_users;
