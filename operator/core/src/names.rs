//! Names as people type them and as rules compare them: DNS host names (RFC 1123 labels,
//! IDNA via UTS 46, punycode checked) and free-text names such as a city (NFKC, case
//! folded, whitespace collapsed). One place, so every rule compares the same way.

use crate::i18n::Text;
use icu_normalizer::ComposingNormalizerBorrowed;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// Whether a wildcard (`*`) may stand as the whole leftmost label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wildcard {
    /// `*.example.go.id` names every host one level below (an Ingress host).
    Leftmost,
    /// No wildcard at all (an endpoint a client connects to).
    Never,
}

/// A host name checked as a DNS name: lower case, ASCII (punycode for Unicode labels),
/// without a trailing root dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsName {
    /// Whether the leftmost label was `*`.
    pub wildcard: bool,
    /// The name without the `*.` label, as ASCII.
    pub base: String,
}

impl DnsName {
    /// The full name, `*.` included.
    pub fn full(&self) -> String {
        if self.wildcard {
            format!("*.{}", self.base)
        } else {
            self.base.clone()
        }
    }

    /// Whether the name is `suffix` or below it (`a.b.suffix`), compared label-wise.
    pub fn is_at_or_below(&self, suffix: &str) -> bool {
        self.base == suffix || self.base.ends_with(&format!(".{suffix}"))
    }
}

/// Checks a host name as a DNS name before any rule compares it: RFC 1123 labels (letters,
/// digits, inner hyphens; 1–63 octets; 253 in all), no empty label, a wildcard only as
/// the whole leftmost label when `wildcard` allows it, Unicode mapped to punycode under
/// UTS 46 and `xn--` labels decoded and checked (invalid punycode is refused).
pub fn dns_name(raw: &str, wildcard: Wildcard) -> Result<DnsName, Text> {
    let name = raw.trim();
    // One trailing dot is the DNS root (`example.go.id.`); more are an empty label.
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err(crate::t!("common-names-host-name-empty"));
    }
    let (is_wild, base) = match name.strip_prefix("*.") {
        Some(rest) if wildcard == Wildcard::Leftmost => (true, rest),
        Some(_) => {
            return Err(crate::t!("common-names-wildcard-allowed-here", raw = &raw));
        }
        None => (false, name),
    };
    if base.contains('*') {
        return Err(crate::t!(
            "common-names-wildcard-may-only-whole",
            raw = &raw
        ));
    }
    if base.split('.').any(str::is_empty) {
        return Err(crate::t!(
            "common-names-empty-label-leading-doubled",
            raw = &raw
        ));
    }
    let ascii = Uts46::new()
        .to_ascii(
            base.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| crate::t!("common-names-valid-dns-name-letters", raw = &raw))?;
    // The wildcard label counts towards the 253 octets too.
    if is_wild && ascii.len() + 2 > 253 {
        return Err(crate::t!("common-names-longer-than-characters", raw = &raw));
    }
    Ok(DnsName {
        wildcard: is_wild,
        base: ascii.into_owned(),
    })
}

/// A free-text name as rules compare it: Unicode NFKC, case folded, whitespace runs
/// collapsed to one space and trimmed. `"Kota  Bekasi"`, `"KOTA BEKASI"` and
/// `"Kota\u{00a0}Bekasi"` are one city.
pub fn normalise_name(s: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    // Lower-casing can produce sequences that are not NFKC (and NFKC can expose new
    // capitals), so normalise on both sides of it.
    let folded = nfkc
        .normalize(&nfkc.normalize(s).to_lowercase())
        .into_owned();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two names are one under [`normalise_name`]; ASCII names are compared without
/// allocating (placement asks this for every candidate rack).
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        let (mut x, mut y) = (a.split_whitespace(), b.split_whitespace());
        loop {
            match (x.next(), y.next()) {
                (None, None) => return true,
                (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
                _ => return false,
            }
        }
    }
    normalise_name(a) == normalise_name(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_names_come_back_as_lower_case_ascii() {
        let n = dns_name("Portal.Disdik.BekasiKota.go.id.", Wildcard::Never).unwrap();
        assert_eq!(n.full(), "portal.disdik.bekasikota.go.id");
        let w = dns_name("*.disdik.bekasikota.go.id", Wildcard::Leftmost).unwrap();
        assert!(w.wildcard);
        assert!(w.is_at_or_below("disdik.bekasikota.go.id"));
        assert!(!w.is_at_or_below("sdik.bekasikota.go.id"));
        // Unicode labels become punycode; valid punycode stays.
        let u = dns_name("pendaftaran.bücher.bekasikota.go.id", Wildcard::Never).unwrap();
        assert_eq!(u.base, "pendaftaran.xn--bcher-kva.bekasikota.go.id");
        assert!(dns_name("xn--bcher-kva.go.id", Wildcard::Never).is_ok());
    }

    #[test]
    fn invalid_names_are_refused_with_the_reason() {
        for (bad, why) in [
            ("a..disdik.bekasikota.go.id", "empty label"),
            (".disdik.bekasikota.go.id", "empty label"),
            ("a.*.disdik.bekasikota.go.id", "wildcard"),
            ("*a.disdik.bekasikota.go.id", "wildcard"),
            ("**.disdik.bekasikota.go.id", "wildcard"),
            ("-a.disdik.bekasikota.go.id", "not a valid DNS name"),
            ("a_b.disdik.bekasikota.go.id", "not a valid DNS name"),
            ("a b.disdik.bekasikota.go.id", "not a valid DNS name"),
            ("xn--a.go.id", "not a valid DNS name"),
            ("xn--zzzzzzzzz-.go.id", "not a valid DNS name"),
            ("", "empty"),
        ] {
            let e = dns_name(bad, Wildcard::Leftmost).unwrap_err();
            assert!(e.en.contains(why), "{bad}: {}", e.en);
        }
        let long = format!("{}.go.id", "a".repeat(64));
        assert!(dns_name(&long, Wildcard::Never).is_err());
        let total = format!("{}go.id", "abcdefghi.".repeat(25));
        assert!(total.len() > 253);
        assert!(dns_name(&total, Wildcard::Never).is_err());
        assert!(dns_name("*.go.id", Wildcard::Never).is_err());
    }

    #[test]
    fn names_differing_in_spacing_case_or_compatibility_forms_are_one() {
        for other in [
            "Kota  Bekasi",
            " KOTA BEKASI ",
            "kota\u{00a0}bekasi",
            "Kota\tBekasi",
            "Ｋｏｔａ Ｂｅｋａｓｉ",
        ] {
            assert_eq!(normalise_name(other), "kota bekasi", "{other:?}");
        }
        assert_ne!(
            normalise_name("Kota Bekasi"),
            normalise_name("Kabupaten Bekasi")
        );
        assert!(same_name("PDU-X", " pdu-x"));
        assert!(same_name("Kota  Bekasi", "kota\u{00a0}bekasi"));
        assert!(!same_name("PDU-A", "PDU-B"));
        assert!(!same_name("PDU A", "PDUA"));
    }

    proptest! {
        #[test]
        fn checking_never_panics_and_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(n) = dns_name(&s, Wildcard::Leftmost) {
                let again = dns_name(&n.full(), Wildcard::Leftmost).unwrap();
                prop_assert_eq!(again, n);
            }
            let once = normalise_name(&s);
            prop_assert_eq!(normalise_name(&once), once.clone());
            prop_assert!(same_name(&s, &once));
        }
    }
}
