//! What stands in front of the password check: a per-address allowance of
//! login attempts (governor's keyed token buckets, whatever the account:
//! password spraying from one address runs dry), and a cap on concurrent
//! password hashing (Argon2 takes tens of milliseconds of a core; a flood
//! of logins must not take every core from the people at work).
use crate::error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{num::NonZeroU32, sync::Arc, time::Duration};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Hashes at once: one per core of the machines this runs on, and a spare.
static HASHING: Semaphore = Semaphore::const_new(3);
/// Past this wait for a hashing slot the login is refused as busy.
const HASHING_WAIT: Duration = Duration::from_secs(10);
/// Addresses remembered before the idle ones are swept.
const ADDRESSES: usize = 10_000;

/// The per-process login throttle (in `FeatureState`).
#[derive(Clone)]
pub struct LoginGuard(Arc<DefaultKeyedRateLimiter<String>>);

impl LoginGuard {
    /// `per_minute` attempts per address, all of them at once if need be.
    pub fn new(per_minute: i64) -> Self {
        let n =
            NonZeroU32::new(per_minute.clamp(1, u32::MAX as i64) as u32).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Takes one attempt from `address`'s allowance; refused past it.
    pub fn attempt(&self, address: &str) -> Result<(), AppError> {
        if self.0.len() > ADDRESSES {
            self.0.retain_recent();
        }
        self.0
            .check_key(&address.to_string())
            .map_err(|_| AppError::TooMany("登录尝试过于频繁，请一分钟后再试".into()))
    }
}

/// A slot to hash a password in (held while hashing).
pub(super) async fn hashing_slot() -> Result<SemaphorePermit<'static>, AppError> {
    tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| AppError::TooMany("服务器繁忙，请稍后再试".into()))?
        .map_err(|_| AppError::Internal)
}
