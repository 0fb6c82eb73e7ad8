//! When to look again at an object whose reconcile keeps failing, or whose outside
//! dependency (an S3 endpoint, a Secret) stays unavailable: a doubling delay from `base`, at
//! most `max`, so a persistent error costs a few requests an hour instead of one every
//! `base`. A success starts over.

use std::time::Duration;

/// The first retry after an error.
pub const ERROR_BASE: Duration = Duration::from_secs(5);
/// The longest wait between retries of a persistent error.
pub const ERROR_MAX: Duration = Duration::from_secs(15 * 60);

/// The wait before retry number `failures` (1 = the first failure): `base`, `2·base`,
/// `4·base`, … capped at `max`.
pub fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    let doublings = failures.saturating_sub(1).min(31);
    base.checked_mul(1u32 << doublings)
        .map_or(max, |d| d.min(max))
        .max(base.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_and_stops_at_the_cap() {
        let s = Duration::from_secs;
        let got: Vec<Duration> = (1..=10).map(|n| backoff(n, s(5), s(300))).collect();
        assert_eq!(
            got,
            [5, 10, 20, 40, 80, 160, 300, 300, 300, 300].map(s).to_vec()
        );
        // Never below the base, never a panic on huge counts.
        assert_eq!(backoff(0, s(5), s(300)), s(5));
        assert_eq!(backoff(u32::MAX, s(5), s(300)), s(300));
        assert_eq!(backoff(3, s(60), s(30)), s(30));
    }
}
