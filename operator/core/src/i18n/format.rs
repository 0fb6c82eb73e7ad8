//! Numbers and dates as each language writes them: Indonesian `1.234,5` and
//! `6 Desember 2026`, English `1,234.5` and `6 December 2026`.

use super::language::Lang;
use fluent_bundle::types::FluentNumber;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// `1,234.5` (English) or `1.234,5` (Indonesian). Fluent's own number formatting ignores the
/// locale, so the bundles call this through `set_formatter`; `NUMBER()` options
/// (`minimumFractionDigits`, `maximumFractionDigits`, `useGrouping`) are honoured.
pub fn number(n: &FluentNumber, lang: Lang) -> String {
    let opts = &n.options;
    if !n.value.is_finite() {
        return n.value.to_string();
    }
    let mut digits = match opts.maximum_fraction_digits {
        Some(max) => {
            let s = format!("{:.*}", max, n.value);
            // `{:.N}` pads with zeros; keep only those the minimum asks for.
            trim_fraction(&s, opts.minimum_fraction_digits.unwrap_or(0))
        }
        None => n.value.to_string(),
    };
    if let Some(min) = opts.minimum_fraction_digits {
        let have = digits.find('.').map_or(0, |p| digits.len() - p - 1);
        if have < min {
            if have == 0 {
                digits.push('.');
            }
            digits.push_str(&"0".repeat(min - have));
        }
    }
    let (sign, unsigned) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let (group, decimal) = separators(lang);
    let mut out = String::from(sign);
    if opts.use_grouping {
        out.push_str(&group_thousands(int, group));
    } else {
        out.push_str(int);
    }
    if let Some(f) = frac {
        out.push(decimal);
        out.push_str(f);
    }
    out
}

/// A plain number in `lang` (no Fluent options): for code that shows a figure outside a
/// catalogue message, such as a table cell.
pub fn plain_number(value: f64, lang: Lang) -> String {
    number(&FluentNumber::from(value), lang)
}

fn trim_fraction(s: &str, keep_at_least: usize) -> String {
    let Some(dot) = s.find('.') else {
        return s.to_string();
    };
    let mut end = s.len();
    while end > dot + 1 + keep_at_least && s.as_bytes()[end - 1] == b'0' {
        end -= 1;
    }
    if end == dot + 1 {
        end = dot;
    }
    s[..end].to_string()
}

fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::En => (',', '.'),
        Lang::Id => ('.', ','),
    }
}

fn group_thousands(int: &str, sep: char) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `6 December 2026` or `6 Desember 2026`.
pub fn date(d: jiff::civil::Date, lang: Lang) -> String {
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::Id => &MONTHS_ID,
    };
    let month = months[usize::from(d.month().unsigned_abs()).saturating_sub(1) % 12];
    format!("{} {} {}", d.day(), month, d.year())
}

/// `6 December 2026, 14:05:09 UTC` or `6 Desember 2026 pukul 14.05.09 UTC` (Indonesian writes
/// times with dots).
pub fn datetime(t: jiff::Timestamp, lang: Lang) -> String {
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let day = date(dt.date(), lang);
    let (h, m, s) = (dt.hour(), dt.minute(), dt.second());
    match lang {
        Lang::En => format!("{day}, {h:02}:{m:02}:{s:02} UTC"),
        Lang::Id => format!("{day} pukul {h:02}.{m:02}.{s:02} UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::types::FluentNumberOptions;

    fn num(v: f64) -> FluentNumber {
        FluentNumber::from(v)
    }

    #[test]
    fn numbers_use_each_languages_separators() {
        assert_eq!(number(&num(1234.5), Lang::Id), "1.234,5");
        assert_eq!(number(&num(1234.5), Lang::En), "1,234.5");
        assert_eq!(number(&num(1234567.0), Lang::Id), "1.234.567");
        assert_eq!(number(&num(-1234.0), Lang::En), "-1,234");
        assert_eq!(number(&num(999.0), Lang::Id), "999");
        assert_eq!(number(&num(0.25), Lang::Id), "0,25");
    }

    #[test]
    fn number_options_round_pad_and_ungroup() {
        let mut opts = FluentNumberOptions {
            maximum_fraction_digits: Some(1),
            ..Default::default()
        };
        assert_eq!(
            number(&FluentNumber::new(2.345, opts.clone()), Lang::Id),
            "2,3"
        );
        assert_eq!(number(&FluentNumber::new(2.0, opts.clone()), Lang::Id), "2");
        opts.minimum_fraction_digits = Some(1);
        assert_eq!(
            number(&FluentNumber::new(2.0, opts.clone()), Lang::Id),
            "2,0"
        );
        let ungrouped = FluentNumberOptions {
            use_grouping: false,
            ..Default::default()
        };
        assert_eq!(
            number(&FluentNumber::new(8443.0, ungrouped), Lang::En),
            "8443"
        );
    }

    #[test]
    fn dates_name_the_month_in_each_language() {
        let d = jiff::civil::date(2026, 12, 6);
        assert_eq!(date(d, Lang::Id), "6 Desember 2026");
        assert_eq!(date(d, Lang::En), "6 December 2026");
        let t: jiff::Timestamp = "2026-12-06T14:05:09Z".parse().unwrap_or_default();
        assert_eq!(datetime(t, Lang::Id), "6 Desember 2026 pukul 14.05.09 UTC");
        assert_eq!(datetime(t, Lang::En), "6 December 2026, 14:05:09 UTC");
    }
}
