//! Password-check lockout: after `max_failures` failed checks for one
//! (realm, email) within `window`, further checks are refused until the
//! oldest counted failure leaves the window. Counted per address whether or
//! not an identity exists, so lockout reveals nothing about existence.

use crate::clock::Millis;

#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window_ms: Millis,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { max_failures: 5, window_ms: 15 * 60 * 1000 }
    }
}

impl LockoutPolicy {
    /// The start of the window that counts at `now`.
    pub fn window_start(&self, now: Millis) -> Millis {
        now.saturating_sub(self.window_ms)
    }

    pub fn is_locked(&self, failures_in_window: u32) -> bool {
        failures_in_window >= self.max_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_after_max_failures_within_window() {
        let p = LockoutPolicy { max_failures: 3, window_ms: 1000 };
        assert!(!p.is_locked(2));
        assert!(p.is_locked(3));
        assert_eq!(p.window_start(5000), 4000);
    }
}
