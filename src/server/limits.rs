//! The app's own attempt limits, in front of Cognito's: per client address and per username,
//! for sign-in, sign-up, code entry and password reset, and failed sign-ins per username. A
//! refused attempt says when the next one is accepted. Counts live in this process, or in Redis
//! when the sessions do (`SESSION_STORE=redis://…`), so several instances share them.

use local_pool::throttle::Throttle;
use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

/// What is being attempted; each has its own budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    SignIn,
    SignUp,
    /// Any code: confirmation, MFA, password reset, attribute verification.
    Code,
    /// Asking for a password-reset (or another) code to be sent.
    SendCode,
    /// Sign-ins refused for a wrong password or an unknown user, counted per username alike,
    /// so the wait after too many tells no account from no account (Cognito's own lockout
    /// would: it only ever locks real users).
    FailedSignIn,
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
            // Counted per username only.
            Action::FailedSignIn => Budget {
                attempts: usize::MAX,
                window_secs: 1,
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
            // Below Cognito's five before its lockout, and as long as its longest lockout.
            Action::FailedSignIn => Budget {
                attempts: 5,
                window_secs: 900,
            },
        }
    }
}

pub struct Limits {
    counts: Counts,
    /// Multiplies every budget (`ATTEMPT_LIMIT_SCALE`; test suites that sign in hundreds of
    /// times from one address raise it).
    scale: f64,
}

enum Counts {
    Memory(Throttle),
    Redis(ConnectionManager),
}

impl Default for Limits {
    fn default() -> Self {
        Self::with_scale(1.0)
    }
}

/// One window to check (and count in): its key and budget.
struct Window {
    key: String,
    budget: Budget,
}

/// Checks every window, then counts in all of them only if none is full: one round trip,
/// atomic across instances. Answers 0, or the seconds until the fullest window has room.
const REDIS_ATTEMPT: &str = r#"
local now, count = tonumber(ARGV[1]), ARGV[2] == "1"
local wait = 0
for i, key in ipairs(KEYS) do
  local max, window = tonumber(ARGV[i * 2 + 1]), tonumber(ARGV[i * 2 + 2])
  redis.call("ZREMRANGEBYSCORE", key, "-inf", now - window)
  if redis.call("ZCARD", key) >= max then
    local oldest = tonumber(redis.call("ZRANGE", key, 0, 0, "WITHSCORES")[2])
    wait = math.max(wait, oldest + window - now, 1)
  end
end
if wait == 0 and count then
  local member = ARGV[#ARGV]
  for i, key in ipairs(KEYS) do
    redis.call("ZADD", key, now, member)
    redis.call("EXPIRE", key, tonumber(ARGV[i * 2 + 2]))
  end
end
return wait
"#;

/// The network an address counts under: an IPv4 address itself, an IPv6 address its /64
/// (one subscriber's usual allocation, so hopping within it buys nothing).
fn network_of(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => address.to_owned(),
    }
}

/// The script, hashed once (every call sends its hash, and the script only when Redis lacks it).
fn attempt_script() -> &'static redis::Script {
    static SCRIPT: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| redis::Script::new(REDIS_ATTEMPT))
}

impl Limits {
    pub fn with_scale(scale: f64) -> Self {
        Self {
            counts: Counts::Memory(Throttle::default()),
            scale,
        }
    }

    /// Limits counted in Redis, shared by every instance that uses it.
    pub fn shared(scale: f64, connection: ConnectionManager) -> Self {
        Self {
            counts: Counts::Redis(connection),
            scale,
        }
    }

    /// Counts an attempt by `address` (and `username`, when known: the normalised name the pool
    /// receives) at `now`; `Err(seconds)` when either budget is spent, without counting it.
    pub async fn attempt(
        &self,
        action: Action,
        address: &str,
        username: Option<&str>,
        now: i64,
    ) -> Result<(), u64> {
        let network = network_of(address);
        let mut windows = vec![self.window(action, "ip", &network, action.per_address())];
        if let Some(name) = username.filter(|n| !n.is_empty()) {
            windows.push(self.window(action, "user", name, action.per_username()));
        }
        self.run(&windows, now, true).await
    }

    /// Counts a sign-in by `username` as failed until [`Limits::forgive_failures`] says
    /// otherwise; `Err(wait)` when its failures are used up. Counting first means parallel
    /// attempts cannot all slip past the check.
    pub async fn reserve_failure(&self, username: &str, now: i64) -> Result<(), u64> {
        let windows = [self.failure_window(username)];
        self.run(&windows, now, true).await
    }

    /// The password was right: `username`'s failures are forgotten.
    pub async fn forgive_failures(&self, username: &str) {
        let key = self.failure_window(username).key;
        match &self.counts {
            Counts::Memory(throttle) => throttle.forget(&key),
            Counts::Redis(connection) => {
                let mut connection = connection.clone();
                if let Err(err) = redis::cmd("DEL")
                    .arg(&key)
                    .query_async::<i64>(&mut connection)
                    .await
                {
                    tracing::warn!(error = %err, "attempt limits could not be reset");
                }
            }
        }
    }

    fn failure_window(&self, username: &str) -> Window {
        let action = Action::FailedSignIn;
        self.window(action, "user", username, action.per_username())
    }

    fn window(&self, action: Action, kind: &str, name: &str, budget: Budget) -> Window {
        // Names are what visitors typed: hashed, so every key is short whatever was sent.
        let digest = Sha256::digest(name.to_lowercase().as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Window {
            key: format!("cognito-authenticator:limit:{action:?}:{kind}:{hex}"),
            budget: Budget {
                attempts: ((budget.attempts as f64) * self.scale).ceil().max(1.0) as usize,
                ..budget
            },
        }
    }

    async fn run(&self, windows: &[Window], now: i64, count: bool) -> Result<(), u64> {
        match &self.counts {
            Counts::Memory(throttle) => {
                let mut wait = 0;
                for window in windows {
                    let budget = window.budget;
                    if let Err(w) = throttle.attempt(
                        &window.key,
                        now,
                        budget.attempts,
                        budget.window_secs,
                        false,
                    ) {
                        wait = wait.max(w);
                    }
                }
                if wait > 0 {
                    return Err(wait);
                }
                if count {
                    for window in windows {
                        let budget = window.budget;
                        let _ = throttle.attempt(
                            &window.key,
                            now,
                            budget.attempts,
                            budget.window_secs,
                            true,
                        );
                    }
                }
                Ok(())
            }
            Counts::Redis(connection) => {
                let mut connection = connection.clone();
                let mut invocation = attempt_script().prepare_invoke();
                invocation.arg(now).arg(if count { "1" } else { "0" });
                for window in windows {
                    invocation
                        .key(&window.key)
                        .arg(window.budget.attempts.min(i64::MAX as usize) as i64)
                        .arg(window.budget.window_secs);
                }
                invocation.arg(uuid::Uuid::new_v4().to_string());
                match invocation.invoke_async::<i64>(&mut connection).await {
                    Ok(0) => Ok(()),
                    Ok(wait) => Err(wait.max(1) as u64),
                    Err(err) => {
                        // The session store is the same Redis: if it is gone, the request
                        // fails there anyway; the limit does not add a second error.
                        tracing::warn!(error = %err, "attempt limits could not be counted");
                        Ok(())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn addresses_of_one_ipv6_network_share_a_budget() {
        let limits = Limits::default();
        for i in 0..30 {
            let address = format!("2001:db8:1:2::{i:x}");
            assert!(limits
                .attempt(Action::SignIn, &address, None, 1000)
                .await
                .is_ok());
        }
        assert!(limits
            .attempt(Action::SignIn, "2001:db8:1:2:ffff::1", None, 1000)
            .await
            .is_err());
        assert!(limits
            .attempt(Action::SignIn, "2001:db8:1:3::1", None, 1000)
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_username_is_limited_across_addresses_and_an_address_across_usernames() {
        let limits = Limits::default();
        for i in 0..10 {
            assert!(limits
                .attempt(Action::SignIn, &format!("10.0.0.{i}"), Some("Ann"), 1000)
                .await
                .is_ok());
        }
        assert_eq!(
            limits
                .attempt(Action::SignIn, "10.0.1.1", Some("ann"), 1010)
                .await,
            Err(290)
        );
        // Other people are not affected, and the window moves on.
        assert!(limits
            .attempt(Action::SignIn, "10.0.1.1", Some("bob"), 1010)
            .await
            .is_ok());
        assert!(limits
            .attempt(Action::SignIn, "10.0.1.1", Some("ann"), 1300)
            .await
            .is_ok());

        for i in 0..30 {
            let _ = limits
                .attempt(Action::Code, "192.0.2.7", Some(&format!("u{i}")), 2000)
                .await;
        }
        assert!(limits
            .attempt(Action::Code, "192.0.2.7", Some("fresh"), 2001)
            .await
            .is_err());
        assert!(
            limits
                .attempt(Action::SignIn, "192.0.2.7", Some("fresh"), 2001)
                .await
                .is_ok(),
            "budgets are per action"
        );
    }
}
