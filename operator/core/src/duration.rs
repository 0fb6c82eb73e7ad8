//! Go-style durations (`90s`, `15m`, `4h`, `1h30m`), the format the CRDs use because the
//! API server's CEL `duration()` understands it.

use std::time::Duration;

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a duration like 90s, 15m, 4h or 1h30m: {why}")]
pub struct DurationError {
    /// The text given.
    pub input: String,
    /// What is wrong.
    pub why: &'static str,
}

/// Parses a Go duration. Units: `ns`, `us`, `ms`, `s`, `m`, `h`; several may follow each
/// other (`1h30m`); fractions are allowed (`1.5h`). No sign, no days (as in Go).
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let err = |why| DurationError {
        input: input.to_string(),
        why,
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err("empty"));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total_nanos: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| err("a number needs a unit"))?;
        if num_len == 0 {
            return Err(err("expected a number"));
        }
        let (num, after) = rest.split_at(num_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(err("unknown unit (use ns, us, ms, s, m or h)")),
        };
        let (int_part, frac_part) = match num.split_once('.') {
            Some((i, f)) => (i, f),
            None => (num, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("expected a number"));
        }
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err("number too large"))?
        };
        let mut nanos = int.checked_mul(scale).ok_or_else(|| err("too large"))?;
        if !frac_part.is_empty() {
            let digits = frac_part.len().min(18) as u32;
            let frac: u128 = frac_part[..digits as usize]
                .parse()
                .map_err(|_| err("bad fraction"))?;
            nanos += frac * scale / 10u128.pow(digits);
        }
        total_nanos = total_nanos
            .checked_add(nanos)
            .ok_or_else(|| err("too large"))?;
        rest = next;
    }
    let secs = u64::try_from(total_nanos / 1_000_000_000).map_err(|_| err("too large"))?;
    Ok(Duration::new(secs, (total_nanos % 1_000_000_000) as u32))
}

/// Formats a duration the way people read it: `45s`, `15m`, `4h`, `1h30m`, `2d3h`.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return if d.is_zero() {
            "0s".to_string()
        } else {
            format!("{}ms", d.as_millis())
        };
    }
    let (days, hours, mins, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(days, "d"), (hours, "h"), (mins, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse("4h").unwrap(), Duration::from_secs(14_400));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse("1.5h").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse("0").unwrap(), Duration::ZERO);
    }

    #[test]
    fn rejects_what_cel_rejects() {
        for bad in ["", "15", "15 minutes", "1d", "-5m", "m", "h1", "1.2.3h"] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
        let e = parse("1d").unwrap_err().to_string();
        assert!(e.contains("unknown unit"), "{e}");
    }

    #[test]
    fn human_is_readable() {
        assert_eq!(human(Duration::from_secs(900)), "15m");
        assert_eq!(human(Duration::from_secs(5_400)), "1h30m");
        assert_eq!(human(Duration::from_secs(97_200)), "1d3h");
        assert_eq!(human(Duration::from_millis(40)), "40ms");
        assert_eq!(human(Duration::ZERO), "0s");
    }

    proptest! {
        #[test]
        fn seconds_round_trip(secs in 0u64..10_000_000) {
            prop_assert_eq!(parse(&format!("{secs}s")).unwrap(), Duration::from_secs(secs));
            prop_assert_eq!(parse(&format!("{}h{}m{}s", secs / 3600, secs / 60 % 60, secs % 60)).unwrap(), Duration::from_secs(secs));
        }

        #[test]
        fn never_panics(s in ".{0,24}") {
            let _ = parse(&s);
        }
    }
}
