//! 考勤区域 + 打卡 (attendance areas and check-in). So far the server side:
//! area geometry and validation, and the check-in decision with its
//! plausibility flags. The map drawing and the phone page come next.
#[cfg(feature = "ssr")]
pub mod geometry;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// The answer to a check-in, shown to the person at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub accepted: bool,
    /// The day's first accepted check-in on this project (later ones are kept
    /// but not counted again).
    pub counted: bool,
    pub message: String,
    /// Metres to the nearest area (0 inside), when areas exist.
    pub distance_m: Option<f64>,
    /// Plausibility flags (accepted but suspicious), in Chinese.
    pub flags: Vec<String>,
    /// Server time (UTC ms).
    pub at: i64,
}
