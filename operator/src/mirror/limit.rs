//! A bytes-per-second token bucket shared by the copy workers.

use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Limits the bytes sent per second, across all workers. Burst: one second's worth.
#[derive(Debug)]
pub struct RateLimit {
    rate: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// `bytes_per_second` must be positive.
    pub fn new(bytes_per_second: u64) -> RateLimit {
        let rate = bytes_per_second.max(1) as f64;
        RateLimit {
            rate,
            state: Mutex::new((rate, Instant::now())),
        }
    }

    /// Takes `n` bytes' worth of tokens, waiting as long as the debt needs. Waiters queue on
    /// the lock, so the limit holds however many workers send.
    pub async fn acquire(&self, n: u64) {
        let mut st = self.state.lock().await;
        let now = Instant::now();
        let (tokens, last) = *st;
        let refilled = (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.rate);
        let left = refilled - n as f64;
        *st = (left, now);
        if left < 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(-left / self.rate)).await;
            *st = (0.0, Instant::now());
        }
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
    }
}
