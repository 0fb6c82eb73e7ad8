//! Per-object failure counts for requeue backoff (`pusdata_core::requeue`): the error policy
//! and controllers whose dependency stays unavailable ask here how long to wait, and a
//! success forgets the object. Kept in memory: after a restart an object starts again at the
//! base delay, which costs one early retry, never a write.

use pusdata_core::requeue;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Failure counts by object key (`kind/namespace/name`).
#[derive(Debug, Default)]
pub struct Backoff {
    failures: Mutex<HashMap<String, u32>>,
}

impl Backoff {
    /// Records one more failure of `key` and returns how long to wait before the next try.
    pub fn failed(&self, key: &str, base: Duration, max: Duration) -> Duration {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(key.to_string()).or_insert(0);
        *n = n.saturating_add(1);
        requeue::backoff(*n, base, max)
    }

    /// Forgets the failures of `key` (it succeeded).
    pub fn succeeded(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }

    /// How many objects are failing now.
    #[cfg(test)]
    pub fn failing(&self) -> usize {
        self.failures.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// The key of an object for [`Backoff`].
pub fn key_of<K: kube::Resource<DynamicType = ()>>(obj: &K) -> String {
    let m = obj.meta();
    format!(
        "{}/{}/{}",
        K::kind(&()),
        m.namespace.as_deref().unwrap_or(""),
        m.name.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persistent_failure_waits_longer_each_time_and_a_success_starts_over() {
        let b = Backoff::default();
        let s = Duration::from_secs;
        let waits: Vec<Duration> = (0..5).map(|_| b.failed("x", s(5), s(60))).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60].map(s).to_vec());
        // Another object has its own count.
        assert_eq!(b.failed("y", s(5), s(60)), s(5));
        b.succeeded("x");
        assert_eq!(b.failed("x", s(5), s(60)), s(5));
        assert_eq!(b.failing(), 2);
    }
}
