//! Webhook serving certificates: whether the operator must issue a new CA and serving
//! certificate now. Pure: the certificate controller reads the Secret, asks [`decide`], and
//! writes what it issued (SEC-CIA: the API server only calls the webhook over TLS).
//!
//! Like cert-manager, a certificate is renewed once two thirds of its lifetime have passed,
//! so a failed renewal has a third of the lifetime to be noticed and retried.

use jiff::{SignedDuration, Timestamp};

/// What the Secret holds, as read (validity from the annotations the operator wrote).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Current {
    /// `tls.crt`, `tls.key` and `ca.crt` are all present and non-empty.
    pub complete: bool,
    /// Start of validity, if recorded and readable.
    pub not_before: Option<Timestamp>,
    /// End of validity, if recorded and readable.
    pub not_after: Option<Timestamp>,
    /// DNS names the certificate was issued for.
    pub dns_names: Vec<String>,
}

/// Why a new certificate is issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No Secret yet.
    Missing,
    /// A key is missing or the validity is not recorded.
    Incomplete,
    /// The Service name changed: the certificate does not name it.
    NamesChanged,
    /// Two thirds of the lifetime have passed.
    Renewal,
    /// Not valid yet or already expired (clock skew, restored old Secret).
    OutsideValidity,
}

impl Reason {
    /// Label for logs, events and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::Incomplete => "incomplete",
            Reason::NamesChanged => "names-changed",
            Reason::Renewal => "renewal",
            Reason::OutsideValidity => "outside-validity",
        }
    }
}

/// The decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// Keep the current certificate; look again at `renew_at`.
    Keep {
        /// When it becomes due.
        renew_at: Timestamp,
    },
    /// Issue a new CA and serving certificate now.
    Issue(Reason),
}

/// When a certificate valid from `not_before` to `not_after` is due: two thirds through.
pub fn renew_at(not_before: Timestamp, not_after: Timestamp) -> Timestamp {
    let life = not_after.duration_since(not_before);
    let third = SignedDuration::from_secs(life.as_secs() / 3);
    not_after.checked_sub(third).unwrap_or(not_before)
}

/// Rotate now? `current` is `None` when there is no Secret; `wanted` are the DNS names the
/// serving certificate must carry (order does not matter).
pub fn decide(current: Option<&Current>, wanted: &[String], now: Timestamp) -> Rotation {
    let Some(c) = current else {
        return Rotation::Issue(Reason::Missing);
    };
    let (true, Some(nb), Some(na)) = (c.complete, c.not_before, c.not_after) else {
        return Rotation::Issue(Reason::Incomplete);
    };
    let mut have: Vec<&str> = c.dns_names.iter().map(String::as_str).collect();
    let mut want: Vec<&str> = wanted.iter().map(String::as_str).collect();
    have.sort_unstable();
    have.dedup();
    want.sort_unstable();
    want.dedup();
    if have != want {
        return Rotation::Issue(Reason::NamesChanged);
    }
    if now < nb || now >= na || nb >= na {
        return Rotation::Issue(Reason::OutsideValidity);
    }
    let due = renew_at(nb, na);
    if now >= due {
        return Rotation::Issue(Reason::Renewal);
    }
    Rotation::Keep { renew_at: due }
}

/// The DNS names of a webhook Service: `svc`, `svc.ns`, `svc.ns.svc`.
pub fn service_dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
    ]
}

/// A CA bundle that trusts the new CA and, during the hand-over, the previous one: webhook
/// replicas still serving the old certificate stay trusted until they reload. Deduplicated,
/// new first.
pub fn ca_bundle(new_ca: &str, previous_ca: Option<&str>) -> String {
    let mut out = new_ca.trim_end().to_string();
    out.push('\n');
    if let Some(prev) = previous_ca.map(str::trim_end).filter(|p| !p.is_empty()) {
        // The previous bundle may itself hold two CAs: keep only its first (the CA that
        // signed the certificates still being served); older ones are no longer needed.
        let first = first_pem(prev);
        if first.trim_end() != new_ca.trim_end() {
            out.push_str(first.trim_end());
            out.push('\n');
        }
    }
    out
}

fn first_pem(bundle: &str) -> &str {
    const END: &str = "-----END CERTIFICATE-----";
    match bundle.find(END) {
        Some(i) => &bundle[..i + END.len()],
        None => bundle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn names() -> Vec<String> {
        service_dns_names("pusdata-webhook", "pusdata-system")
    }

    fn issued(nb: &str, na: &str) -> Current {
        Current {
            complete: true,
            not_before: Some(t(nb)),
            not_after: Some(t(na)),
            dns_names: names(),
        }
    }

    #[test]
    fn rotation_table() {
        // A 300-day certificate from 2026-01-01: due at day 200 (2026-07-20).
        let good = issued("2026-01-01T00:00:00Z", "2026-10-28T00:00:00Z");
        let mut reordered = good.clone();
        reordered.dns_names.reverse();
        let mut renamed = good.clone();
        renamed.dns_names = service_dns_names("other", "pusdata-system");
        let mut partial = good.clone();
        partial.complete = false;
        let mut unrecorded = good.clone();
        unrecorded.not_after = None;
        let backwards = issued("2026-10-28T00:00:00Z", "2026-01-01T00:00:00Z");
        let due = t("2026-07-20T00:00:00Z");
        let cases: &[(&str, Option<&Current>, &str, Rotation)] = &[
            (
                "no secret",
                None,
                "2026-02-01T00:00:00Z",
                Rotation::Issue(Reason::Missing),
            ),
            (
                "fresh",
                Some(&good),
                "2026-02-01T00:00:00Z",
                Rotation::Keep { renew_at: due },
            ),
            (
                "names in another order",
                Some(&reordered),
                "2026-02-01T00:00:00Z",
                Rotation::Keep { renew_at: due },
            ),
            (
                "just before due",
                Some(&good),
                "2026-07-19T23:59:59Z",
                Rotation::Keep { renew_at: due },
            ),
            (
                "due",
                Some(&good),
                "2026-07-20T00:00:00Z",
                Rotation::Issue(Reason::Renewal),
            ),
            (
                "near expiry",
                Some(&good),
                "2026-10-27T00:00:00Z",
                Rotation::Issue(Reason::Renewal),
            ),
            (
                "expired",
                Some(&good),
                "2026-10-28T00:00:00Z",
                Rotation::Issue(Reason::OutsideValidity),
            ),
            (
                "not yet valid",
                Some(&good),
                "2025-12-31T00:00:00Z",
                Rotation::Issue(Reason::OutsideValidity),
            ),
            (
                "backwards validity",
                Some(&backwards),
                "2026-02-01T00:00:00Z",
                Rotation::Issue(Reason::OutsideValidity),
            ),
            (
                "service renamed",
                Some(&renamed),
                "2026-02-01T00:00:00Z",
                Rotation::Issue(Reason::NamesChanged),
            ),
            (
                "key missing",
                Some(&partial),
                "2026-02-01T00:00:00Z",
                Rotation::Issue(Reason::Incomplete),
            ),
            (
                "validity not recorded",
                Some(&unrecorded),
                "2026-02-01T00:00:00Z",
                Rotation::Issue(Reason::Incomplete),
            ),
        ];
        for (name, current, now, want) in cases {
            assert_eq!(decide(*current, &names(), t(now)), *want, "{name}");
        }
    }

    #[test]
    fn renew_at_is_two_thirds_through() {
        assert_eq!(
            renew_at(t("2026-01-01T00:00:00Z"), t("2026-01-04T00:00:00Z")),
            t("2026-01-03T00:00:00Z")
        );
    }

    const A: &str = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
    const B: &str = "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
    const C: &str = "-----BEGIN CERTIFICATE-----\nCCC\n-----END CERTIFICATE-----\n";

    #[test]
    fn bundle_keeps_the_previous_ca_once() {
        assert_eq!(ca_bundle(A, None), A);
        assert_eq!(ca_bundle(A, Some("")), A);
        assert_eq!(ca_bundle(A, Some(A)), A);
        assert_eq!(ca_bundle(B, Some(A)), format!("{B}{A}"));
        // Second rotation: the bundle B+A becomes C+B, never C+B+A.
        let ba = ca_bundle(B, Some(A));
        assert_eq!(ca_bundle(C, Some(&ba)), format!("{C}{B}"));
    }
}
