//! Exceptions that expire: an exception names one object and one rule and suppresses the
//! matching findings until `expiresAt`. Afterwards the finding is back, saying the exception
//! expired, so nobody mistakes an old exception for a permanent one (unlike Kyverno's
//! `PolicyException`, which never expires).

use super::object::identity;
use crate::finding::{Finding, Severity};
use jiff::Timestamp;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{PolicyException, ResidencyPolicySpec};

/// The result of evaluating one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Findings that stand (exceptions applied).
    pub findings: Vec<Finding>,
    /// Findings suppressed by an exception in force.
    pub excepted: Vec<Excepted>,
}

/// A finding suppressed by an exception in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excepted {
    /// The finding that would stand without the exception.
    pub finding: Finding,
    /// The exception's name.
    pub exception: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
}

/// Whether each exception is still in force, for a policy's status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExceptionState {
    /// Names of exceptions in force.
    pub active: Vec<String>,
    /// Names of expired exceptions.
    pub expired: Vec<String>,
}

/// Splits a policy's exceptions into active and expired at `now`.
pub fn exception_states(exceptions: &[PolicyException], now: Timestamp) -> ExceptionState {
    let mut s = ExceptionState::default();
    for e in exceptions {
        if in_force(e, now) {
            s.active.push(e.name.clone());
        } else {
            s.expired.push(e.name.clone());
        }
    }
    s
}

fn in_force(e: &PolicyException, now: Timestamp) -> bool {
    now < e.expires_at.0
}

fn targets(e: &PolicyException, object: &Object) -> bool {
    let (kind, namespace, name) = identity(object);
    e.target.kind == kind && e.target.name == name && e.target.namespace.as_deref() == namespace
}

pub(super) fn apply(
    object: &Object,
    raw: Vec<Finding>,
    exceptions: &[PolicyException],
    now: Timestamp,
) -> Evaluation {
    let mut ev = Evaluation::default();
    for mut f in raw {
        let matching: Vec<_> = exceptions
            .iter()
            .filter(|e| e.rule == f.rule && targets(e, object))
            .collect();
        if let Some(e) = matching.iter().find(|e| in_force(e, now)) {
            ev.excepted.push(Excepted {
                finding: f,
                exception: e.name.clone(),
                expires_at: e.expires_at.0.to_string(),
            });
            continue;
        }
        if let Some(e) = matching.first() {
            let at = e.expires_at.0;
            f.message
                .en
                .push_str(&format!(" (exception {} expired at {at})", e.name));
            f.message
                .id
                .push_str(&format!(" (pengecualian {} berakhir pada {at})", e.name));
        }
        ev.findings.push(f);
    }
    ev
}

/// Findings on the policy itself: exceptions for rules that do not exist (they would never
/// match anything), and expired exceptions (for information, to be cleaned up).
pub(super) fn check_policy(spec: &ResidencyPolicySpec, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, e) in spec.exceptions.iter().enumerate() {
        let path = format!("spec.exceptions[{i}]");
        if crate::rules::rule(&e.rule).is_none() {
            out.push(Finding::warn(
                "AUDIT",
                &format!("{path}.rule"),
                crate::t!(
                    "policy-exceptions-exception-names-rule-which",
                    name = &e.name,
                    rule = &e.rule
                ),
                crate::t!("policy-exceptions-use-rule-id-such"),
            ));
        }
        if !in_force(e, now) {
            out.push(Finding {
                severity: Severity::Info,
                ..Finding::warn(
                    "AUDIT",
                    &format!("{path}.expiresAt"),
                    crate::t!(
                        "policy-exceptions-exception-expired",
                        name = &e.name,
                        expires_at = &e.expires_at.0
                    ),
                    crate::t!("policy-exceptions-remove-grant-new-one"),
                )
            });
        }
    }
    out
}

/// The earliest expiry after `now` among `exceptions`: when an object they cover must be
/// looked at again (the background audit wakes up then, not only on its period).
pub fn next_expiry(exceptions: &[PolicyException], now: Timestamp) -> Option<Timestamp> {
    exceptions
        .iter()
        .map(|e| e.expires_at.0)
        .filter(|t| *t > now)
        .min()
}
