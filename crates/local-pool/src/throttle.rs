//! Sliding-window counts by name: the pool's per-user code sends (`ForgotPassword`,
//! `ResendConfirmationCode`, which Cognito throttles: each send would otherwise buy a fresh set
//! of code guesses), and the app's attempt limits. Memory stays bounded under a flood of names:
//! counts live in two generations, and the older one is dropped whole when the newer fills, so
//! each call does O(1) work.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Names tracked per generation.
const GENERATION: usize = 50_000;

#[derive(Default)]
pub struct Throttle {
    generations: Mutex<[HashMap<String, VecDeque<i64>>; 2]>,
}

impl Throttle {
    /// Counts a send for `key` at `now`, unless `max` sends were already made within the last
    /// `window_secs`; then `false`, and nothing is counted.
    pub fn allow(&self, key: &str, now: i64, max: usize, window_secs: i64) -> bool {
        self.attempt(key, now, max, window_secs, true).is_ok()
    }

    /// Whether `key` has room for one more within its window (`Err`: seconds until it has),
    /// counting the attempt when `count` and there is room.
    pub fn attempt(
        &self,
        key: &str,
        now: i64,
        max: usize,
        window_secs: i64,
        count: bool,
    ) -> Result<(), u64> {
        let mut generations = self.generations.lock().expect("throttle lock");
        let [current, previous] = &mut *generations;
        let mut times = current
            .remove(key)
            .or_else(|| previous.remove(key))
            .unwrap_or_default();
        while times.front().is_some_and(|t| now - t >= window_secs) {
            times.pop_front();
        }
        let result = if times.len() >= max {
            let oldest = times.front().copied().unwrap_or(now);
            Err((oldest + window_secs - now).max(1) as u64)
        } else {
            if count {
                times.push_back(now);
            }
            Ok(())
        };
        if current.len() >= GENERATION {
            // The older generation goes, but not the names being tried again and again (a
            // flood of new names has one attempt each): those move on, so a flood cannot wipe
            // the count of an account under attack.
            let mut kept = std::mem::take(current);
            for (name, times) in previous.drain() {
                if times.len() > 1 && kept.len() < 2 * GENERATION {
                    kept.entry(name).or_insert(times);
                }
            }
            *previous = kept;
        }
        if !times.is_empty() {
            current.insert(key.to_owned(), times);
        }
        result
    }

    /// Forgets `key`'s count.
    pub fn forget(&self, key: &str) {
        let mut generations = self.generations.lock().expect("throttle lock");
        for generation in generations.iter_mut() {
            generation.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_limited_within_its_window_and_others_are_not() {
        let throttle = Throttle::default();
        for i in 0..5 {
            assert!(throttle.allow("ann", 1000 + i, 5, 3600));
        }
        assert!(!throttle.allow("ann", 1100, 5, 3600));
        assert!(throttle.allow("bob", 1100, 5, 3600));
        assert!(throttle.allow("ann", 4600, 5, 3600), "the window moved on");
    }

    #[test]
    fn a_flood_of_names_stays_bounded() {
        let throttle = Throttle::default();
        for i in 0..(GENERATION * 5) {
            throttle.allow(&format!("name{i}"), 0, 5, 3600);
        }
        let generations = throttle.generations.lock().unwrap();
        assert!(generations.iter().map(HashMap::len).sum::<usize>() <= 3 * GENERATION);
    }

    #[test]
    fn a_flood_of_new_names_does_not_wipe_a_count_under_attack() {
        let throttle = Throttle::default();
        for attempt in 0..4 {
            throttle.allow("victim", attempt, 5, 3600);
        }
        for i in 0..(GENERATION * 3) {
            throttle.allow(&format!("flood{i}"), 10, 5, 3600);
        }
        assert!(throttle.allow("victim", 20, 5, 3600), "the fifth");
        assert!(!throttle.allow("victim", 21, 5, 3600), "and no more");
    }
}
