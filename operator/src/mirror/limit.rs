//! A bytes-per-second token bucket, shared by the mirror's copy workers (async) and the
//! mover's repository backend (blocking, rustic_core's threads).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
// tokio's Instant is the system clock outside a runtime and the runtime's (pausable) clock
// inside one, so tests on a paused clock see exact waits.
use tokio::time::Instant;

/// Where the limit reads the time and how a blocking caller waits. Tests use a virtual clock
/// that moves only when a caller waits, so counts and times are exact on any machine.
#[derive(Debug)]
enum Clock {
    System,
    #[cfg(test)]
    Virtual(std::sync::Arc<Mutex<Instant>>),
}

impl Clock {
    fn now(&self) -> Instant {
        match self {
            Clock::System => Instant::now(),
            #[cfg(test)]
            Clock::Virtual(t) => *lock(t),
        }
    }

    fn sleep_until_blocking(&self, ready: Instant) {
        match self {
            Clock::System => std::thread::sleep(ready.saturating_duration_since(Instant::now())),
            #[cfg(test)]
            Clock::Virtual(t) => {
                let mut now = lock(t);
                *now = (*now).max(ready);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

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
    clock: Clock,
}

impl RateLimit {
    /// `bytes_per_second` must be positive (0 is taken as 1).
    pub fn new(bytes_per_second: u64) -> RateLimit {
        RateLimit::with_clock(bytes_per_second, Clock::System)
    }

    fn with_clock(bytes_per_second: u64, clock: Clock) -> RateLimit {
        let rate = bytes_per_second.max(1) as f64;
        RateLimit {
            rate,
            state: Mutex::new((rate, clock.now())),
            waits: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            clock,
        }
    }

    /// A limit on a virtual clock that starts now and moves only when a blocking caller
    /// waits; the returned handle reads it.
    #[cfg(test)]
    pub(crate) fn on_virtual_clock(bytes_per_second: u64) -> (RateLimit, VirtualClock) {
        let start = Instant::now();
        let t = std::sync::Arc::new(Mutex::new(start));
        (
            RateLimit::with_clock(bytes_per_second, Clock::Virtual(t.clone())),
            VirtualClock { t, start },
        )
    }

    /// The limit, bytes per second.
    pub fn bytes_per_second(&self) -> u64 {
        self.rate as u64
    }

    /// Reserves `n` bytes and returns how long the caller must wait before sending them.
    /// Callers are served in the order they reserve.
    pub fn reserve(&self, n: u64) -> Duration {
        let (now, ready) = self.reserve_at(n);
        ready.saturating_duration_since(now)
    }

    /// Reserves `n` bytes: the time of the reservation and the time the bytes may go.
    fn reserve_at(&self, n: u64) -> (Instant, Instant) {
        let mut st = lock(&self.state);
        // Read under the lock, so reservations and their clock readings are in one order.
        let now = self.clock.now();
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
        if ready > now {
            self.waits.fetch_add(1, Ordering::Relaxed);
        }
        (now, ready)
    }

    /// Takes `n` bytes' worth of tokens, waiting as long as the debt needs.
    pub async fn acquire(&self, n: u64) {
        let (now, ready) = self.reserve_at(n);
        if ready > now {
            match &self.clock {
                Clock::System => tokio::time::sleep_until(ready).await,
                #[cfg(test)]
                Clock::Virtual(_) => self.clock.sleep_until_blocking(ready),
            }
        }
    }

    /// [`RateLimit::acquire`] for blocking code (rustic_core's backend threads).
    pub fn acquire_blocking(&self, n: u64) {
        let (now, ready) = self.reserve_at(n);
        if ready > now {
            self.clock.sleep_until_blocking(ready);
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

/// Reads a [`RateLimit`]'s virtual clock (tests).
#[cfg(test)]
#[derive(Debug, Clone)]
pub(crate) struct VirtualClock {
    t: std::sync::Arc<Mutex<Instant>>,
    start: Instant,
}

#[cfg(test)]
impl VirtualClock {
    /// Virtual time passed since the limit was made.
    pub(crate) fn elapsed(&self) -> Duration {
        lock(&self.t).duration_since(self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A paused clock: sleeps advance it exactly, and no real time passes between calls, so
    // the burst cannot refill behind the test's back on a loaded machine (issue 14, #10).
    #[tokio::test(start_paused = true)]
    async fn holds_the_rate() {
        let l = RateLimit::new(1_000_000);
        let t0 = Instant::now();
        // The first second's worth is free (burst), the next 300 000 bytes take 0.3 s.
        for _ in 0..13 {
            l.acquire(100_000).await;
        }
        assert_eq!(t0.elapsed(), Duration::from_millis(300));
        assert_eq!(l.stats(), (3, 1_300_000));
    }

    #[test]
    fn a_request_larger_than_the_burst_goes_into_debt() {
        let (l, _clock) = RateLimit::on_virtual_clock(1_000);
        // 5 000 bytes at 1 000 B/s with a 1 000-byte burst: the caller after it waits 4 s.
        assert_eq!(l.reserve(5_000), Duration::from_secs(4));
        assert_eq!(l.reserve(1), Duration::from_millis(4_001));
        assert_eq!(l.stats(), (2, 5_001));
    }

    #[test]
    fn the_burst_refills_at_the_rate() {
        let (l, clock) = RateLimit::on_virtual_clock(1_000);
        l.acquire_blocking(1_500);
        assert_eq!(clock.elapsed(), Duration::from_millis(500));
        // Debt paid, bucket empty: 250 bytes wait a quarter second.
        assert_eq!(l.reserve(250), Duration::from_millis(250));
    }

    #[test]
    fn blocking_callers_share_one_limit() {
        let (l, clock) = RateLimit::on_virtual_clock(100_000);
        let l = std::sync::Arc::new(l);
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
        // 200 000 bytes, 100 000 free: exactly 1 s however the threads interleave, and the
        // 20 reservations past the burst each waited.
        assert_eq!(clock.elapsed(), Duration::from_secs(1));
        assert_eq!(l.stats(), (20, 200_000));
    }
}
