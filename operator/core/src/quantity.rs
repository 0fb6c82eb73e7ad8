//! Kubernetes resource quantities (`500m`, `2`, `4Gi`, `1.5G`) as numbers, for comparing a
//! request with what is left of a quota.

/// The value of a quantity in base units (cores, bytes), or `None` when it is not one.
pub fn parse(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        _ if suffix.starts_with(['e', 'E']) => 10f64.powi(suffix[1..].parse().ok()?),
        _ => return None,
    };
    let v = n * scale;
    (v.is_finite() && v >= 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("500m"), Some(0.5));
        assert_eq!(parse("4Gi"), Some(4.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse("1.5G"), Some(1.5e9));
        assert_eq!(parse("128974848"), Some(128_974_848.0));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("12Qi"), None);
        assert_eq!(parse("-1"), None);
        assert_eq!(parse(""), None);
    }
}
