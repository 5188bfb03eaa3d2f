//! Per-key allowances (governor's keyed token buckets): so many attempts a
//! minute per client address, per person, whatever else is going on. Idle
//! keys are swept once the map grows past its size.
use crate::error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{hash::Hash, num::NonZeroU32, sync::Arc};

#[derive(Clone)]
pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: Arc<DefaultKeyedRateLimiter<K>>,
    keys: usize,
    message: &'static str,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// `per_minute` attempts per key (all at once if need be), refused
    /// with `message` (429) past it; idle keys swept past `keys` of them.
    pub fn new(per_minute: i64, keys: usize, message: &'static str) -> Self {
        let n =
            NonZeroU32::new(per_minute.clamp(1, u32::MAX as i64) as u32).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))),
            keys,
            message,
        }
    }

    /// Takes one attempt from `key`'s allowance; refused past it.
    pub fn attempt(&self, key: &K) -> Result<(), AppError> {
        if self.limiter.len() > self.keys {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|_| AppError::TooMany(self.message.into()))
    }
}
