//! A bytes-per-second token bucket, shared by the mirror's copy workers (async) and the
//! mover's repository backend (blocking, rustic_core's threads).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Limits the bytes sent per second, across all users. Burst: one second's worth. A request
/// larger than the burst is never refused: it goes into debt and the callers after it wait,
/// so the average rate holds whatever the request sizes (a 16 MiB pack at 1 MiB/s).
#[derive(Debug)]
pub struct RateLimit {
    rate: f64,
    /// Tokens left at `at`; `at` moves into the future while callers wait for debt.
    state: Mutex<(f64, Instant)>,
    waits: AtomicU64,
    bytes: AtomicU64,
}

impl RateLimit {
    /// `bytes_per_second` must be positive (0 is taken as 1).
    pub fn new(bytes_per_second: u64) -> RateLimit {
        let rate = bytes_per_second.max(1) as f64;
        RateLimit {
            rate,
            state: Mutex::new((rate, Instant::now())),
            waits: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }

    /// The limit, bytes per second.
    pub fn bytes_per_second(&self) -> u64 {
        self.rate as u64
    }

    /// Reserves `n` bytes and returns how long the caller must wait before sending them.
    /// Callers are served in the order they reserve.
    pub fn reserve(&self, n: u64) -> Duration {
        let now = Instant::now();
        let mut st = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (tokens, at) = *st;
        let (base, available) = if now > at {
            let refill = now.duration_since(at).as_secs_f64() * self.rate;
            (now, (tokens + refill).min(self.rate))
        } else {
            (at, tokens)
        };
        let left = available - n as f64;
        let ready = if left >= 0.0 {
            *st = (left, base);
            base
        } else {
            let until = base + Duration::from_secs_f64(-left / self.rate);
            *st = (0.0, until);
            until
        };
        drop(st);
        self.bytes.fetch_add(n, Ordering::Relaxed);
        let wait = ready.saturating_duration_since(now);
        if !wait.is_zero() {
            self.waits.fetch_add(1, Ordering::Relaxed);
        }
        wait
    }

    /// Takes `n` bytes' worth of tokens, waiting as long as the debt needs.
    pub async fn acquire(&self, n: u64) {
        let wait = self.reserve(n);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// [`RateLimit::acquire`] for blocking code (rustic_core's backend threads).
    pub fn acquire_blocking(&self, n: u64) {
        let wait = self.reserve(n);
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// How many reservations had to wait, and the bytes that passed.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.waits.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_the_rate() {
        let l = RateLimit::new(1_000_000);
        let t0 = Instant::now();
        // The first second's worth is free (burst), the next 300 000 bytes take 0.3 s.
        for _ in 0..13 {
            l.acquire(100_000).await;
        }
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(290), "{took:?}");
        assert_eq!(l.stats(), (3, 1_300_000));
    }

    #[test]
    fn a_request_larger_than_the_burst_goes_into_debt() {
        let l = RateLimit::new(1_000);
        // 5 000 bytes at 1 000 B/s with a 1 000-byte burst: the caller after it waits ~4 s.
        assert!(l.reserve(5_000).as_secs_f64() > 3.9);
        let next = l.reserve(1);
        assert!(next.as_secs_f64() > 3.9, "{next:?}");
        assert_eq!(l.stats(), (2, 5_001));
    }

    #[test]
    fn blocking_callers_share_one_limit() {
        let l = std::sync::Arc::new(RateLimit::new(100_000));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        l.acquire_blocking(5_000);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // 200 000 bytes, 100 000 free: at least ~1 s however the threads interleave.
        assert!(
            t0.elapsed() >= Duration::from_millis(950),
            "{:?}",
            t0.elapsed()
        );
    }
}
