//! Slows down repeated failed logins for one username.
//!
//! After a few consecutive failures the username is locked for a while that doubles with each
//! further failure (1 s, 2 s, 4 s … up to 5 minutes). While locked, every attempt fails with
//! the same answer as a wrong password and costs no argon2 work, so guessing is throttled
//! without telling the caller which part was wrong. The state is per process.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const FREE_FAILURES: u32 = 5;
const MAX_LOCK: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct Throttle {
    state: Mutex<HashMap<String, (u32, Option<Instant>)>>,
}

impl Throttle {
    pub fn locked(&self, key: &str) -> bool {
        matches!(self.state.lock().get(key), Some((_, Some(until))) if Instant::now() < *until)
    }

    pub fn failed(&self, key: &str) {
        let mut state = self.state.lock();
        if state.len() > 100_000 {
            let now = Instant::now();
            state.retain(|_, (_, until)| until.is_some_and(|u| u > now));
        }
        let entry = state.entry(key.to_string()).or_insert((0, None));
        entry.0 += 1;
        if entry.0 >= FREE_FAILURES {
            let exp = (entry.0 - FREE_FAILURES).min(16);
            let lock = Duration::from_secs(1u64 << exp).min(MAX_LOCK);
            entry.1 = Some(Instant::now() + lock);
        }
    }

    pub fn succeeded(&self, key: &str) {
        self.state.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_repeated_failures_and_clears_on_success() {
        let t = Throttle::default();
        for _ in 0..FREE_FAILURES - 1 {
            t.failed("acme\0api");
        }
        assert!(!t.locked("acme\0api"));
        t.failed("acme\0api");
        assert!(t.locked("acme\0api"));
        assert!(!t.locked("acme\0viewer"));
        t.succeeded("acme\0api");
        assert!(!t.locked("acme\0api"));
    }
}
