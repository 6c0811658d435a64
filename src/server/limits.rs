//! The app's own attempt limits, in front of Cognito's: per client address and per username,
//! for sign-in, sign-up, code entry and password reset. A refused attempt says when the next
//! one is accepted. Counts live in this process (each instance limits on its own).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// What is being attempted; each has its own budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    SignIn,
    SignUp,
    /// Any code: confirmation, MFA, password reset, attribute verification.
    Code,
    /// Asking for a password-reset (or another) code to be sent.
    SendCode,
}

/// Attempts allowed within a window.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub attempts: usize,
    pub window_secs: i64,
}

impl Action {
    /// Per client address: room for a household or office behind one address.
    fn per_address(self) -> Budget {
        match self {
            Action::SignIn => Budget {
                attempts: 30,
                window_secs: 300,
            },
            Action::SignUp => Budget {
                attempts: 10,
                window_secs: 3600,
            },
            Action::Code => Budget {
                attempts: 30,
                window_secs: 300,
            },
            Action::SendCode => Budget {
                attempts: 10,
                window_secs: 900,
            },
        }
    }

    /// Per username: one person's honest retries (Cognito's lockout still applies behind it).
    fn per_username(self) -> Budget {
        match self {
            Action::SignIn => Budget {
                attempts: 10,
                window_secs: 300,
            },
            Action::SignUp => Budget {
                attempts: 5,
                window_secs: 3600,
            },
            Action::Code => Budget {
                attempts: 10,
                window_secs: 300,
            },
            Action::SendCode => Budget {
                attempts: 5,
                window_secs: 900,
            },
        }
    }
}

pub struct Limits {
    /// Times of recent attempts, by (action, "ip:…" or "user:…").
    seen: Mutex<HashMap<(Action, String), VecDeque<i64>>>,
    /// Multiplies every budget (`ATTEMPT_LIMIT_SCALE`; test suites that sign in hundreds of
    /// times from one address raise it).
    scale: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self::with_scale(1.0)
    }
}

impl Limits {
    pub fn with_scale(scale: f64) -> Self {
        Self {
            seen: Mutex::default(),
            scale,
        }
    }

    /// Counts an attempt by `address` (and `username`, when known) at `now`; `Err(seconds)`
    /// when either budget is spent, without counting it.
    pub fn attempt(
        &self,
        action: Action,
        address: &str,
        username: Option<&str>,
        now: i64,
    ) -> Result<(), u64> {
        let mut seen = self.seen.lock().expect("limits lock");
        if seen.len() > 100_000 {
            // Bounded memory: drop whatever has aged out of every window.
            seen.retain(|_, times| times.back().is_some_and(|t| now - t < 3600));
        }
        let scaled = |budget: Budget| Budget {
            attempts: ((budget.attempts as f64) * self.scale).ceil().max(1.0) as usize,
            ..budget
        };
        let mut keys = vec![(
            action,
            format!("ip:{address}"),
            scaled(action.per_address()),
        )];
        if let Some(name) = username.filter(|n| !n.is_empty()) {
            keys.push((
                action,
                format!("user:{}", name.to_lowercase()),
                scaled(action.per_username()),
            ));
        }
        let mut wait = 0;
        for (action, key, budget) in &keys {
            let times = seen.entry((*action, key.clone())).or_default();
            while times.front().is_some_and(|t| now - t >= budget.window_secs) {
                times.pop_front();
            }
            if times.len() >= budget.attempts {
                let oldest = times.front().copied().unwrap_or(now);
                wait = wait.max((oldest + budget.window_secs - now).max(1) as u64);
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        for (action, key, _) in keys {
            seen.entry((action, key)).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_limited_across_addresses_and_an_address_across_usernames() {
        let limits = Limits::default();
        for i in 0..10 {
            assert!(limits
                .attempt(Action::SignIn, &format!("10.0.0.{i}"), Some("Ann"), 1000)
                .is_ok());
        }
        assert_eq!(
            limits.attempt(Action::SignIn, "10.0.1.1", Some("ann"), 1010),
            Err(290)
        );
        // Other people are not affected, and the window moves on.
        assert!(limits
            .attempt(Action::SignIn, "10.0.1.1", Some("bob"), 1010)
            .is_ok());
        assert!(limits
            .attempt(Action::SignIn, "10.0.1.1", Some("ann"), 1300)
            .is_ok());

        for i in 0..30 {
            let _ = limits.attempt(Action::Code, "192.0.2.7", Some(&format!("u{i}")), 2000);
        }
        assert!(limits
            .attempt(Action::Code, "192.0.2.7", Some("fresh"), 2001)
            .is_err());
        assert!(
            limits
                .attempt(Action::SignIn, "192.0.2.7", Some("fresh"), 2001)
                .is_ok(),
            "budgets are per action"
        );
    }
}
