//! An injectable clock, so expiry, lockout and refresh decisions are testable without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Wall-clock seconds (or a fixed start), shifted by an offset that tests can advance.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
    /// A fixed start instead of the wall clock: time moves only when advanced.
    fixed: Option<i64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `start` until advanced (deterministic tests).
    pub fn fixed(start: i64) -> Self {
        Self {
            offset: Arc::default(),
            fixed: Some(start),
        }
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        self.fixed.unwrap_or_else(|| chrono::Utc::now().timestamp())
            + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}
