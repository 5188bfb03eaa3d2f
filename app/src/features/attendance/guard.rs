//! A person's allowance of check-in attempts (the JSON and the photo
//! check-in alike): a phone or a script hammering the button is answered
//! 429 past `CHECKIN_ATTEMPTS_PER_MINUTE`, and the writer's queue stays for
//! everyone else.
use crate::{error::AppError, platform::throttle::Throttle};

/// People remembered before the idle ones are swept.
const PEOPLE: usize = 100_000;

#[derive(Clone)]
pub struct CheckinGuard(Throttle<i64>);

impl CheckinGuard {
    pub fn new(per_minute: i64) -> Self {
        Self(Throttle::new(
            per_minute,
            PEOPLE,
            "打卡过于频繁，请稍后再试（每分钟次数有限）",
        ))
    }

    pub fn attempt(&self, user_id: i64) -> Result<(), AppError> {
        self.0.attempt(&user_id)
    }
}
