//! Backup schedules: the 5-field cron subset (`*/15 * * * *`, `0 2 * * 0`, `0 1 15 1,4,7,10 *`),
//! the `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly` shorthands and `@every 15m`.
//!
//! Small and pure on purpose: the plan checker must compute the largest gap between runs to
//! compare it with the RPO, which a cron crate does not give, and every time is UTC so the
//! answer never depends on the machine's time zone.

use crate::duration;
use jiff::Timestamp;
use std::time::Duration;

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CronSpec {
    /// A 5-field cron expression, evaluated in UTC.
    Cron(Fields),
    /// `@every <duration>`: runs at every multiple of the period since the Unix epoch.
    Every(Duration),
}

/// The five cron fields as bit sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    dom_restricted: bool,
    dow_restricted: bool,
}

/// Why a schedule did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a schedule like \"*/15 * * * *\" or \"@every 15m\": {why}")]
pub struct CronError {
    /// The text given.
    pub input: String,
    /// What is wrong.
    pub why: String,
}

/// Longest search for the next run: a `29 2` (29 February) schedule runs once in 4 years, and
/// 8 years covers the century rule's gaps too.
const SEARCH_DAYS: i64 = 366 * 8 + 2;

/// Parses a schedule.
pub fn parse(input: &str) -> Result<CronSpec, CronError> {
    let err = |why: &str| CronError {
        input: input.to_string(),
        why: why.to_string(),
    };
    let s = input.trim();
    if let Some(rest) = s.strip_prefix("@every") {
        let d = duration::parse(rest.trim()).map_err(|e| err(&e.to_string()))?;
        if d.as_secs() == 0 {
            return Err(err("@every needs at least one second"));
        }
        return Ok(CronSpec::Every(d));
    }
    let expanded = match s {
        "@hourly" => "0 * * * *",
        "@daily" | "@midnight" => "0 0 * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        other if other.starts_with('@') => return Err(err("unknown shorthand")),
        other => other,
    };
    let parts: Vec<&str> = expanded.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(err(
            "expected 5 fields: minute hour day-of-month month day-of-week",
        ));
    }
    let minutes = field(parts[0], 0, 59).map_err(|w| err(&format!("minute: {w}")))?;
    let hours = field(parts[1], 0, 23).map_err(|w| err(&format!("hour: {w}")))?;
    let dom = field(parts[2], 1, 31).map_err(|w| err(&format!("day of month: {w}")))?;
    let months = field(parts[3], 1, 12).map_err(|w| err(&format!("month: {w}")))?;
    // 7 is Sunday too, as in Vixie cron.
    let mut dow = field(parts[4], 0, 7).map_err(|w| err(&format!("day of week: {w}")))?;
    if dow & (1 << 7) != 0 {
        dow = (dow | 1) & 0x7f;
    }
    Ok(CronSpec::Cron(Fields {
        minutes,
        hours: hours as u32,
        days_of_month: dom as u32,
        months: months as u16,
        days_of_week: dow as u8,
        // As Vixie cron: a day field starting with `*` (also `*/2`) counts as unrestricted.
        dom_restricted: !parts[2].starts_with('*'),
        dow_restricted: !parts[4].starts_with('*'),
    }))
}

fn field(text: &str, lo: u32, hi: u32) -> Result<u64, String> {
    let mut bits = 0u64;
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| format!("bad step {s:?}"))?;
                if step == 0 {
                    return Err("step 0".into());
                }
                (r, step)
            }
            None => (item, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a, lo, hi)?, number(b, lo, hi)?)
        } else {
            let a = number(range, lo, hi)?;
            // `5/15` means from 5 to the end, every 15.
            (a, if item.contains('/') { hi } else { a })
        };
        if a > b {
            return Err(format!("range {a}-{b} runs backwards"));
        }
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

fn number(text: &str, lo: u32, hi: u32) -> Result<u32, String> {
    let n: u32 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if n < lo || n > hi {
        return Err(format!("{n} is outside {lo}-{hi}"));
    }
    Ok(n)
}

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm): keeps the search
/// pure arithmetic, independent of any time-zone database.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl Fields {
    fn day_matches(&self, days: i64) -> bool {
        let (_, m, d) = civil(days);
        if self.months & (1 << m) == 0 {
            return false;
        }
        // 1970-01-01 was a Thursday (4).
        let wd = (days + 4).rem_euclid(7) as u32;
        let dom_ok = self.days_of_month & (1 << d) != 0;
        let dow_ok = self.days_of_week & (1 << wd) != 0;
        // Vixie cron: when both day fields are restricted, either may match.
        if self.dom_restricted && self.dow_restricted {
            dom_ok || dow_ok
        } else {
            dom_ok && dow_ok
        }
    }

    fn next_after_secs(&self, t: i64) -> Option<i64> {
        let start = (t.div_euclid(60) + 1) * 60;
        let first_day = start.div_euclid(86_400);
        for day in first_day..first_day + SEARCH_DAYS {
            if !self.day_matches(day) {
                continue;
            }
            for h in 0..24i64 {
                if self.hours & (1 << h) == 0 {
                    continue;
                }
                let hour_start = day * 86_400 + h * 3600;
                if hour_start + 3600 <= start {
                    continue;
                }
                for m in 0..60i64 {
                    let at = hour_start + m * 60;
                    if self.minutes & (1 << m) != 0 && at >= start {
                        return Some(at);
                    }
                }
            }
        }
        None
    }
}

impl CronSpec {
    /// The first run strictly after `t`, or `None` if the schedule never runs (`0 0 31 2 *`).
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let secs = t.as_second();
        let next = match self {
            CronSpec::Cron(f) => f.next_after_secs(secs)?,
            CronSpec::Every(d) => {
                let p = i64::try_from(d.as_secs().max(1)).ok()?;
                (secs.div_euclid(p) + 1) * p
            }
        };
        Timestamp::from_second(next).ok()
    }

    /// The next `n` runs strictly after `after`.
    pub fn next_runs(&self, after: Timestamp, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n);
        let mut t = after;
        while out.len() < n {
            match self.next_after(t) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// The largest gap between two consecutive runs over a year from `from` (every month and
    /// weekday is seen), or `None` if the schedule never runs twice.
    pub fn largest_gap(&self, from: Timestamp) -> Option<Duration> {
        match self {
            CronSpec::Every(d) => Some(Duration::from_secs(d.as_secs().max(1))),
            CronSpec::Cron(f) => f.largest_gap(from.as_second().div_euclid(86_400)),
        }
    }
}

impl Fields {
    /// Exact and fast: runs are (matching day) × (time-of-day slots), so the largest gap is
    /// either between two slots of a day or from a day's last slot to the next matching
    /// day's first one. Walking run by run would cost half a million steps a year for an
    /// every-minute schedule.
    fn largest_gap(&self, first_day: i64) -> Option<Duration> {
        let slots: Vec<i64> = (0..24i64)
            .filter(|h| self.hours & (1 << h) != 0)
            .flat_map(|h| {
                (0..60i64)
                    .filter(|m| self.minutes & (1 << m) != 0)
                    .map(move |m| h * 3600 + m * 60)
            })
            .collect();
        let (first, last) = (*slots.first()?, *slots.last()?);
        let within = slots.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let days: Vec<i64> = (first_day..first_day + 366)
            .filter(|d| self.day_matches(*d))
            .collect();
        let mut largest = within;
        let mut prev = *days.first()?;
        for &d in days.iter().skip(1) {
            largest = largest.max((d - prev) * 86_400 + first - last);
            prev = d;
        }
        let after = (prev + 1..prev + SEARCH_DAYS).find(|d| self.day_matches(*d));
        match after {
            Some(d) => largest = largest.max((d - prev) * 86_400 + first - last),
            None if slots.len() < 2 || days.len() < 2 => return None,
            None => {}
        }
        u64::try_from(largest).ok().map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn every_fifteen_minutes() {
        let c = parse("*/15 * * * *").unwrap();
        let runs = c.next_runs(ts("2026-11-25T10:07:30Z"), 3);
        assert_eq!(
            runs,
            vec![
                ts("2026-11-25T10:15:00Z"),
                ts("2026-11-25T10:30:00Z"),
                ts("2026-11-25T10:45:00Z")
            ]
        );
        assert_eq!(
            c.largest_gap(ts("2026-01-01T00:00:00Z")),
            Some(Duration::from_secs(900))
        );
    }

    #[test]
    fn next_is_strictly_after() {
        let c = parse("0 2 * * *").unwrap();
        assert_eq!(
            c.next_after(ts("2026-11-25T02:00:00Z")),
            Some(ts("2026-11-26T02:00:00Z"))
        );
    }

    #[test]
    fn quarterly_drill_calendar() {
        let c = parse("0 1 15 1,4,7,10 *").unwrap();
        let runs = c.next_runs(ts("2026-11-25T00:00:00Z"), 2);
        assert_eq!(
            runs,
            vec![ts("2027-01-15T01:00:00Z"), ts("2027-04-15T01:00:00Z")]
        );
        let gap = c.largest_gap(ts("2026-01-01T00:00:00Z")).unwrap();
        assert!(gap.as_secs() >= 90 * 86_400, "{gap:?}");
    }

    #[test]
    fn weekdays_and_sunday_as_seven() {
        // 2026-11-29 is a Sunday.
        let a = parse("0 3 * * 0").unwrap();
        let b = parse("0 3 * * 7").unwrap();
        let after = ts("2026-11-25T00:00:00Z");
        assert_eq!(a.next_after(after), Some(ts("2026-11-29T03:00:00Z")));
        assert_eq!(a.next_after(after), b.next_after(after));
    }

    #[test]
    fn day_fields_or_when_both_restricted() {
        // 1st of the month OR Monday; 2026-11-30 is a Monday.
        let c = parse("0 0 1 * 1").unwrap();
        assert_eq!(
            c.next_after(ts("2026-11-25T00:00:00Z")),
            Some(ts("2026-11-30T00:00:00Z"))
        );
    }

    #[test]
    fn a_starred_step_day_field_does_not_widen_the_other() {
        // Every other day of the month starting on the 1st, any weekday: the 2nd never runs.
        let c = parse("0 0 */2 * */1").unwrap();
        assert_eq!(
            c.next_after(ts("2026-11-01T00:00:00Z")),
            Some(ts("2026-11-03T00:00:00Z"))
        );
    }

    #[test]
    fn shorthands_and_every() {
        assert_eq!(parse("@daily").unwrap(), parse("0 0 * * *").unwrap());
        let e = parse("@every 15m").unwrap();
        assert_eq!(e, CronSpec::Every(Duration::from_secs(900)));
        assert_eq!(
            e.next_after(ts("2026-11-25T10:07:30Z")),
            Some(ts("2026-11-25T10:15:00Z"))
        );
        assert_eq!(
            e.largest_gap(ts("2026-01-01T00:00:00Z")),
            Some(Duration::from_secs(900))
        );
    }

    #[test]
    fn ranges_with_steps_and_offsets() {
        let c = parse("7-59/20 * * * *").unwrap();
        let runs = c.next_runs(ts("2026-11-25T10:00:00Z"), 4);
        let mins: Vec<_> = runs.iter().map(|t| t.as_second() / 60 % 60).collect();
        assert_eq!(mins, vec![7, 27, 47, 7]);
        assert_eq!(
            parse("5/30 * * * *").unwrap(),
            parse("5,35 * * * *").unwrap()
        );
    }

    #[test]
    fn leap_day_and_never() {
        let leap = parse("0 0 29 2 *").unwrap();
        assert_eq!(
            leap.next_after(ts("2026-11-25T00:00:00Z")),
            Some(ts("2028-02-29T00:00:00Z"))
        );
        let never = parse("0 0 31 2 *").unwrap();
        assert_eq!(never.next_after(ts("2026-11-25T00:00:00Z")), None);
        assert_eq!(never.largest_gap(ts("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn rejects_bad_schedules() {
        for bad in [
            "",
            "* * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "*/0 * * * *",
            "5-1 * * * *",
            "@often",
            "@every",
            "@every 0s",
            "a * * * *",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    proptest! {
        #[test]
        fn runs_increase_and_match(min in 0u32..60, hour in 0u32..24, start in 1_700_000_000i64..1_900_000_000) {
            let c = parse(&format!("{min} {hour} * * *")).unwrap();
            let runs = c.next_runs(Timestamp::from_second(start).unwrap(), 3);
            prop_assert_eq!(runs.len(), 3);
            let mut prev = start;
            for r in runs {
                let s = r.as_second();
                prop_assert!(s > prev);
                prop_assert_eq!(s % 86_400, i64::from(hour) * 3600 + i64::from(min) * 60);
                prev = s;
            }
        }

        #[test]
        fn never_panics(s in "[0-9*/,@ a-z-]{0,20}") {
            let _ = parse(&s);
        }
    }
}
