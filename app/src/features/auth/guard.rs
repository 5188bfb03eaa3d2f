//! What stands in front of the password check: a per-address allowance of
//! login attempts (governor's keyed token buckets, whatever the account:
//! password spraying from one address runs dry), and a cap on concurrent
//! password hashing (Argon2 takes tens of milliseconds of a core; a flood
//! of logins must not take every core from the people at work).
use crate::error::AppError;
use crate::platform::throttle::Throttle;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Hashes at once: one per core of the machines this runs on, and a spare.
static HASHING: Semaphore = Semaphore::const_new(3);
/// Past this wait for a hashing slot the login is refused as busy.
const HASHING_WAIT: Duration = Duration::from_secs(10);
/// Addresses remembered before the idle ones are swept.
const ADDRESSES: usize = 10_000;

/// The per-process login throttle (in `FeatureState`).
#[derive(Clone)]
pub struct LoginGuard(Throttle<String>);

impl LoginGuard {
    /// `per_minute` attempts per address, all of them at once if need be.
    pub fn new(per_minute: i64) -> Self {
        Self(Throttle::new(
            per_minute,
            ADDRESSES,
            "登录尝试过于频繁，请一分钟后再试",
        ))
    }

    /// Takes one attempt from `address`'s allowance; refused past it.
    pub fn attempt(&self, address: &str) -> Result<(), AppError> {
        self.0.attempt(&address.to_string())
    }
}

/// A slot to hash a password in (held while hashing).
pub(super) async fn hashing_slot() -> Result<SemaphorePermit<'static>, AppError> {
    tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| AppError::TooMany("服务器繁忙，请稍后再试".into()))?
        .map_err(|_| AppError::Internal)
}
