//! `BackupRepository` decisions: which Secrets the operator may read for a repository (an
//! agency never opens another's repository, SEC-CIA), the phase a set of observations
//! gives, when to validate and `check` next, and what deleting the object does to the data.
//!
//! The controller reads the cluster and the repository, calls these functions and applies
//! what they return; nothing here touches a network, a disk or a clock.

use crate::dr::compile::{EntryKind, compile};
use crate::dr::cron::CronSpec;
use crate::finding::{Finding, Severity};
use crate::i18n::{Lang, Text};
use crate::policy::agency_namespaces;
use crate::tenancy::AGENCY_LABEL;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{
    AccessMode, AgencySpec, BackupRepositorySpec, DeletionPolicy, DisasterRecoveryPlan,
    RepositoryPhase, SecretKeyRef,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Condition reasons of `Ready` (documented in docs/reference/backup-repository.md).
pub mod reason {
    /// Opened with the agency's key and counted.
    pub const AVAILABLE: &str = "RepositoryAvailable";
    /// Created on this pass (first use), then opened.
    pub const CREATED: &str = "RepositoryCreated";
    /// `spec.validationInterval` does not parse.
    pub const INVALID_SPEC: &str = "InvalidSpec";
    /// `spec.agency` names no registered Agency.
    pub const AGENCY_NOT_FOUND: &str = "AgencyNotFound";
    /// Neither `spec.key` nor the agency's `repositoryKey` is set.
    pub const NO_KEY: &str = "NoRepositoryKey";
    /// The policy engine denies the repository (DATA-DC, DR-NKRI).
    pub const POLICY_DENIED: &str = "PolicyDenied";
    /// A referenced Secret lies where this repository may not read it (SEC-CIA).
    pub const SECRET_NOT_ALLOWED: &str = "SecretNotAllowed";
    /// A referenced Secret or key does not exist.
    pub const SECRET_NOT_FOUND: &str = "SecretNotFound";
    /// The key does not open the repository; nothing was written.
    pub const WRONG_KEY: &str = "WrongKey";
    /// `ReadOnly` and no repository at the location (only `ReadWrite` creates one).
    pub const NO_REPOSITORY: &str = "NoRepository";
    /// The S3 server did not answer or refused.
    pub const UNREACHABLE: &str = "Unreachable";
}

/// Condition reasons of `Checked`.
pub mod check_reason {
    /// The last scheduled `check` found no error.
    pub const PASSED: &str = "CheckPassed";
    /// The last scheduled `check` found errors (named in the message).
    pub const FAILED: &str = "CheckFailed";
    /// `check` could not run (repository unreachable, wrong key).
    pub const NOT_RUN: &str = "CheckNotRun";
}

/// Which Secret a repository reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretUse {
    /// The restic password: the agency's own (SEC-CIA).
    RepositoryKey,
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` of the S3 server (may be shared by the
    /// site's repositories).
    S3Credentials,
}

impl SecretUse {
    fn words(self) -> Text {
        match self {
            SecretUse::RepositoryKey => crate::t!("repository-secret-use-key"),
            SecretUse::S3Credentials => crate::t!("repository-secret-use-s3"),
        }
    }
}

/// Why a repository is refused before anything is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `Ready` reason.
    pub reason: &'static str,
    /// Message with the rule ID, both languages.
    pub message: Text,
}

/// The key reference in force: `spec.key`, else the agency's `repositoryKey`.
pub fn key_ref(spec: &BackupRepositorySpec, agency: &AgencySpec) -> Result<SecretKeyRef, Refusal> {
    spec.key
        .clone()
        .or_else(|| agency.repository_key.clone())
        .ok_or_else(|| Refusal {
            reason: reason::NO_KEY,
            message: crate::t!("repository-sec-cia-repository-key", code = &agency.code),
        })
}

/// The namespace a Secret is read from: the reference's, else the platform namespace. Only
/// the platform namespace and the agency's own namespaces are allowed, so a repository can
/// never be pointed at another agency's Secret.
pub fn secret_namespace(
    use_: SecretUse,
    namespace: Option<&str>,
    agency: &AgencySpec,
    platform_namespace: &str,
) -> Result<String, Refusal> {
    let ns = namespace
        .filter(|n| !n.is_empty())
        .unwrap_or(platform_namespace);
    if ns == platform_namespace || agency_namespaces(agency).any(|n| n == ns) {
        return Ok(ns.to_string());
    }
    Err(Refusal {
        reason: reason::SECRET_NOT_ALLOWED,
        message: crate::t!(
            "repository-secret-foreign-namespace",
            what = &use_.words(),
            ns = ns,
            agency = &agency.code,
            platform = platform_namespace
        ),
    })
}

/// Whether a Secret that was found belongs to the agency. A key in the platform namespace
/// must carry the label `pusdata.io/agency: <code>`; any Secret labelled for another agency is
/// refused wherever it lies. S3 credentials in the platform namespace may be unlabelled (one
/// S3 account per site is common); the repository key is what separates agencies.
pub fn secret_owner_ok(
    use_: SecretUse,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    agency_code: &str,
    platform_namespace: &str,
) -> Result<(), Refusal> {
    let label = labels.get(AGENCY_LABEL).map(String::as_str);
    let ok = match (label, use_) {
        (Some(l), _) => l == agency_code,
        (None, SecretUse::S3Credentials) => true,
        (None, SecretUse::RepositoryKey) => namespace != platform_namespace,
    };
    if ok {
        return Ok(());
    }
    let label = match label {
        Some(l) => Text::new(l, l),
        None => crate::t!("repository-secret-no-label"),
    };
    Err(Refusal {
        reason: reason::SECRET_NOT_ALLOWED,
        message: crate::t!(
            "repository-secret-foreign-label",
            what = &use_.words(),
            namespace = namespace,
            agency = agency_code,
            key = AGENCY_LABEL,
            label = &label
        ),
    })
}

/// A Secret or one of its keys is missing.
pub fn secret_missing(use_: SecretUse, namespace: &str, name: &str, key: Option<&str>) -> Refusal {
    let kind = use_.words();
    let what = match key {
        Some(k) => format!("{namespace}/{name} (key {k})"),
        None => format!("{namespace}/{name}"),
    };
    Refusal {
        reason: reason::SECRET_NOT_FOUND,
        message: crate::t!("repository-secret-missing", kind = &kind, what = &what),
    }
}

/// What the controller saw on one pass, in the order it looks.
#[derive(Clone, Debug, PartialEq)]
pub enum Observation {
    /// Refused before opening anything (spec, agency, secrets).
    Refused(Refusal),
    /// The policy engine's findings (only denying ones make the repository unavailable).
    PolicyDenied(Vec<Finding>),
    /// Opened with the key.
    Opened {
        /// Created on this pass.
        created: bool,
    },
    /// The key opens no key file of the repository.
    WrongKey,
    /// No repository there and the spec is `ReadOnly`.
    NoRepository,
    /// The server failed; the text is already free of secrets.
    Unreachable(String),
}

/// Phase and `Ready` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `Available` or `Unavailable`.
    pub phase: RepositoryPhase,
    /// `Ready` reason.
    pub reason: &'static str,
    /// Message, both languages.
    pub message: Text,
}

/// The phase from what was observed.
pub fn verdict(obs: &Observation) -> Verdict {
    let down = |reason, message| Verdict {
        phase: RepositoryPhase::Unavailable,
        reason,
        message,
    };
    match obs {
        Observation::Opened { created } => Verdict {
            phase: RepositoryPhase::Available,
            reason: if *created {
                reason::CREATED
            } else {
                reason::AVAILABLE
            },
            message: if *created {
                crate::t!("repository-repository-created-opened-agency")
            } else {
                crate::t!("repository-repository-opened-agency-s")
            },
        },
        Observation::Refused(r) => down(r.reason, r.message.clone()),
        Observation::PolicyDenied(findings) => {
            let denied: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity == Severity::Deny)
                .collect();
            // `RULE path: message; …`, each message in the language of its half.
            let join = |lang: Lang| {
                denied
                    .iter()
                    .map(|f| format!("{} {}: {}", f.rule, f.path, f.message.get(lang)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            down(
                reason::POLICY_DENIED,
                Text::new(join(Lang::En), join(Lang::Id)),
            )
        }
        Observation::WrongKey => down(
            reason::WRONG_KEY,
            crate::t!("repository-sec-cia-repository-key-2"),
        ),
        Observation::NoRepository => down(
            reason::NO_REPOSITORY,
            crate::t!("repository-repository-location-accessmode-readonly"),
        ),
        Observation::Unreachable(why) => down(
            reason::UNREACHABLE,
            crate::t!("repository-s3-server-did-answer", why = &why),
        ),
    }
}

/// Whether the policy findings leave the repository usable.
pub fn policy_allows(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Deny)
}

/// Whether opening may create the repository (only a `ReadWrite` one: a `ReadOnly`
/// repository is for restores during DR and is never written).
pub fn may_create(spec: &BackupRepositorySpec) -> bool {
    spec.access_mode == AccessMode::ReadWrite
}

/// When something is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Now.
    Now,
    /// Not before then.
    At(Timestamp),
    /// Nothing schedules it.
    Never,
}

impl Due {
    /// Whether it is due now.
    pub fn now(self) -> bool {
        self == Due::Now
    }
}

/// An unavailable repository is looked at again within this time, however long its
/// interval, so a repaired server or Secret shows promptly.
pub const UNAVAILABLE_RETRY: Duration = Duration::from_secs(60);

/// When to validate next: now if never validated, if the spec changed since (generation),
/// or once the interval (at most [`UNAVAILABLE_RETRY`] when unavailable) has passed.
pub fn validation_due(
    last_validated: Option<Timestamp>,
    observed_generation: Option<i64>,
    generation: Option<i64>,
    phase: Option<RepositoryPhase>,
    interval: Duration,
    now: Timestamp,
) -> Due {
    let Some(last) = last_validated else {
        return Due::Now;
    };
    if observed_generation != generation {
        return Due::Now;
    }
    let wait = if phase == Some(RepositoryPhase::Available) {
        interval
    } else {
        interval.min(UNAVAILABLE_RETRY)
    };
    let next = jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|d| last.checked_add(d).ok())
        .unwrap_or(Timestamp::MAX);
    if next <= now { Due::Now } else { Due::At(next) }
}

/// The verification settings that apply to one repository: from every plan tier with a
/// member of the repository's agency, when the plan uses the repository's site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerificationPlan {
    /// `check` schedules (one per tier that sets one).
    pub checks: Vec<CronSpec>,
    /// Restore-test schedules.
    pub restore_tests: Vec<CronSpec>,
    /// The largest `readDataSubset` among the tiers (`N%`), if any sets one.
    pub read_data_subset: Option<String>,
}

/// Collects the verification settings of the tiers holding the agency's services, from the
/// plans whose primary or DRC site is the repository's. Schedules are compiled by
/// [`crate::dr::compile`], the same calendar the plan checker reports.
pub fn verification_plan(
    plans: &[DisasterRecoveryPlan],
    agency: &str,
    site: &str,
) -> VerificationPlan {
    let mut out = VerificationPlan::default();
    let mut subset: Option<u8> = None;
    for plan in plans {
        if plan.spec.primary_site != site && plan.spec.drc_site != site {
            continue;
        }
        let tiers: Vec<&str> = plan
            .spec
            .tiers
            .iter()
            .filter(|t| t.members.iter().any(|m| m.agency == agency))
            .map(|t| t.name.as_str())
            .collect();
        for entry in compile(plan).entries {
            if !entry.tiers.iter().any(|t| tiers.contains(&t.as_str())) {
                continue;
            }
            match entry.kind {
                EntryKind::Check => out.checks.push(entry.spec),
                EntryKind::RestoreTest => out.restore_tests.push(entry.spec),
                _ => {}
            }
        }
        for t in plan
            .spec
            .tiers
            .iter()
            .filter(|t| tiers.contains(&t.name.as_str()))
        {
            let pct = t
                .verification
                .read_data_subset
                .as_deref()
                .and_then(|s| s.strip_suffix('%'))
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| *n <= 100);
            if let Some(p) = pct {
                subset = Some(subset.map_or(p, |s| s.max(p)));
            }
        }
    }
    out.read_data_subset = subset.filter(|p| *p > 0).map(|p| format!("{p}%"));
    out
}

/// Whether a scheduled run (a `check` or a restore test) is due: never with no schedule;
/// now if it never ran; otherwise at the earliest scheduled time after the last run (a
/// missed run is made up once, not once per missed slot).
pub fn run_due(last: Option<Timestamp>, schedules: &[CronSpec], now: Timestamp) -> Due {
    if schedules.is_empty() {
        return Due::Never;
    }
    let Some(last) = last else {
        return Due::Now;
    };
    match schedules.iter().filter_map(|s| s.next_after(last)).min() {
        None => Due::Never,
        Some(next) if next <= now => Due::Now,
        Some(next) => Due::At(next),
    }
}

/// How long to wait before the next pass: until the earliest of the due times, at least
/// `floor` (no hot loop), at most `ceiling`.
pub fn requeue_after(dues: &[Due], now: Timestamp, floor: Duration, ceiling: Duration) -> Duration {
    let earliest = dues
        .iter()
        .filter_map(|d| match d {
            Due::Now => Some(now),
            Due::At(t) => Some(*t),
            Due::Never => None,
        })
        .min();
    let wait = earliest
        .map(|t| t.duration_since(now))
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(ceiling);
    wait.clamp(floor, ceiling)
}

/// What deleting the object does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// Remove the finalizer; the data stays (`Retain`).
    Release,
    /// Delete the repository's objects, then remove the finalizer (`Delete`).
    DeleteData,
    /// Keep the finalizer: the data cannot be deleted as asked (the reason says why and how to
    /// let go: set `deletionPolicy: Retain`).
    Blocked(Refusal),
}

impl From<Verdict> for Refusal {
    fn from(v: Verdict) -> Refusal {
        Refusal {
            reason: v.reason,
            message: v.message,
        }
    }
}

/// Whether the deletion decision needs the repository opened first: only to delete its
/// data (`Delete` on a `ReadWrite` repository). `Retain` lets go without touching S3.
pub fn deletion_needs_open(spec: &BackupRepositorySpec) -> bool {
    spec.deletion_policy == DeletionPolicy::Delete && spec.access_mode == AccessMode::ReadWrite
}

/// The deletion decision. Data is deleted only when the spec says `Delete` explicitly, the
/// repository is `ReadWrite`, and the repository was opened with its key on this pass (so a
/// wrong key or another agency's prefix is never deleted); otherwise `Retain` lets go and
/// `Delete` waits.
pub fn deletion(spec: &BackupRepositorySpec, opened: Option<&Observation>) -> Deletion {
    if spec.deletion_policy == DeletionPolicy::Retain {
        return Deletion::Release;
    }
    if spec.access_mode == AccessMode::ReadOnly {
        return Deletion::Blocked(Refusal {
            reason: "ReadOnly",
            message: crate::t!("repository-deletionpolicy-delete-but-repository"),
        });
    }
    match opened {
        Some(Observation::Opened { .. }) => Deletion::DeleteData,
        // Nothing there: nothing to delete.
        Some(Observation::NoRepository) => Deletion::Release,
        Some(other) => {
            let v = verdict(other);
            Deletion::Blocked(Refusal {
                reason: v.reason,
                message: crate::t!("repository-delete-blocked", why = &v.message),
            })
        }
        None => Deletion::Blocked(Refusal {
            reason: reason::UNREACHABLE,
            message: crate::t!("repository-deletionpolicy-delete-repository-opened"),
        }),
    }
}

/// What a repository check (`restic check`'s equivalent) found, for the `Checked`
/// condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome<'a> {
    /// No error; the data subset read, if any.
    Passed {
        /// `--read-data-subset`'s value.
        data_read: Option<&'a str>,
    },
    /// Errors found (the first three are quoted).
    Failed {
        /// Every error.
        errors: &'a [String],
    },
    /// The check could not run (the repository did not open, a backend failed).
    NotRun {
        /// Why.
        error: &'a str,
    },
}

/// The `Ready` condition of a repository from its verdict.
pub fn ready_condition(v: &Verdict) -> crate::conditions::Desired {
    crate::conditions::Desired {
        type_: crate::conditions::READY,
        status: Some(v.phase == RepositoryPhase::Available),
        reason: v.reason,
        message: v.message.to_string(),
    }
}

/// The `Checked` condition from a check run: unknown when it could not run.
pub fn checked_condition(c: &CheckOutcome<'_>) -> crate::conditions::Desired {
    use crate::conditions::{CHECKED, Desired};
    match c {
        CheckOutcome::Passed { data_read } => Desired {
            type_: CHECKED,
            status: Some(true),
            reason: check_reason::PASSED,
            message: match data_read {
                Some(subset) => crate::t!("shell-repository-check-passed", subset = *subset),
                None => crate::t!("shell-repository-check-passed-no-data"),
            }
            .to_string(),
        },
        CheckOutcome::Failed { errors } => {
            let first: Vec<&str> = errors.iter().take(3).map(String::as_str).collect();
            Desired {
                type_: CHECKED,
                status: Some(false),
                reason: check_reason::FAILED,
                message: crate::t!(
                    "shell-repository-check-failed",
                    count = errors.len(),
                    first = first.join("; ")
                )
                .to_string(),
            }
        }
        CheckOutcome::NotRun { error } => Desired {
            type_: CHECKED,
            status: None,
            reason: check_reason::NOT_RUN,
            message: crate::t!("shell-repository-check-not-run", error = *error).to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_is_passed_failed_with_its_first_three_errors_or_unknown_when_it_cannot_run() {
        let c = checked_condition(&CheckOutcome::Passed {
            data_read: Some("1/10"),
        });
        assert_eq!((c.status, c.reason), (Some(true), check_reason::PASSED));
        assert!(
            c.message.contains("1/10") && c.message.contains(" / "),
            "{}",
            c.message
        );
        let errors: Vec<String> = (1..=5).map(|i| format!("pack {i} damaged")).collect();
        let c = checked_condition(&CheckOutcome::Failed { errors: &errors });
        assert_eq!((c.status, c.reason), (Some(false), check_reason::FAILED));
        assert!(c.message.contains("pack 3 damaged") && !c.message.contains("pack 4"));
        assert!(c.message.contains('5'), "{}", c.message);
        let c = checked_condition(&CheckOutcome::NotRun {
            error: "no repository",
        });
        assert_eq!((c.status, c.reason), (None, check_reason::NOT_RUN));
        assert!(c.message.contains("no repository"));
    }
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::Verification;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn agency() -> AgencySpec {
        let mut a = fixtures::agency("dinkes").spec;
        a.namespaces = vec!["dinkes".into(), "dinkes-simpus".into()];
        a
    }

    #[test]
    fn secrets_only_from_the_platform_or_the_agencys_own_namespaces() {
        let a = agency();
        let table: &[(SecretUse, Option<&str>, Result<&str, &str>)] = &[
            (SecretUse::RepositoryKey, None, Ok("pusdata-system")),
            (SecretUse::RepositoryKey, Some(""), Ok("pusdata-system")),
            (
                SecretUse::RepositoryKey,
                Some("pusdata-system"),
                Ok("pusdata-system"),
            ),
            (SecretUse::RepositoryKey, Some("dinkes"), Ok("dinkes")),
            (
                SecretUse::RepositoryKey,
                Some("dinkes-simpus"),
                Ok("dinkes-simpus"),
            ),
            (
                SecretUse::RepositoryKey,
                Some("disdukcapil"),
                Err(reason::SECRET_NOT_ALLOWED),
            ),
            (
                SecretUse::RepositoryKey,
                Some("kube-system"),
                Err(reason::SECRET_NOT_ALLOWED),
            ),
            (
                SecretUse::S3Credentials,
                Some("disdukcapil"),
                Err(reason::SECRET_NOT_ALLOWED),
            ),
            (SecretUse::S3Credentials, None, Ok("pusdata-system")),
        ];
        for (use_, ns, want) in table {
            let got = secret_namespace(*use_, *ns, &a, "pusdata-system");
            match (want, &got) {
                (Ok(w), Ok(g)) => assert_eq!(w, g),
                (Err(r), Err(g)) => {
                    assert_eq!(*r, g.reason);
                    assert!(g.message.en.starts_with("SEC-CIA"));
                    assert!(g.message.id.contains("bukan milik"));
                }
                _ => panic!("{use_:?} {ns:?}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_key_belongs_to_the_agency_by_namespace_or_label() {
        let label = |v: &str| BTreeMap::from([(AGENCY_LABEL.to_string(), v.to_string())]);
        let none = BTreeMap::new();
        let p = "pusdata-system";
        let table: &[(SecretUse, &str, &BTreeMap<String, String>, bool)] = &[
            (SecretUse::RepositoryKey, p, &label("dinkes"), true),
            (SecretUse::RepositoryKey, p, &label("disdukcapil"), false),
            (SecretUse::RepositoryKey, p, &none, false),
            (SecretUse::RepositoryKey, "dinkes", &none, true),
            (
                SecretUse::RepositoryKey,
                "dinkes",
                &label("disdukcapil"),
                false,
            ),
            (SecretUse::S3Credentials, p, &none, true),
            (SecretUse::S3Credentials, p, &label("disdukcapil"), false),
            (SecretUse::S3Credentials, p, &label("dinkes"), true),
        ];
        for (use_, ns, labels, ok) in table {
            let got = secret_owner_ok(*use_, ns, labels, "dinkes", p);
            assert_eq!(
                got.is_ok(),
                *ok,
                "{use_:?} in {ns} with {labels:?}: {got:?}"
            );
        }
    }

    #[test]
    fn the_key_defaults_to_the_agencys() {
        let mut spec = fixtures::backup_repository("dinkes", "drc-bandung").spec;
        let mut a = agency();
        assert_eq!(key_ref(&spec, &a).unwrap_err().reason, reason::NO_KEY);
        let agency_key = SecretKeyRef {
            name: "dinkes-restic".into(),
            namespace: None,
            key: "password".into(),
        };
        a.repository_key = Some(agency_key.clone());
        assert_eq!(key_ref(&spec, &a).unwrap(), agency_key);
        let own = SecretKeyRef {
            name: "other".into(),
            ..agency_key
        };
        spec.key = Some(own.clone());
        assert_eq!(key_ref(&spec, &a).unwrap(), own);
    }

    #[test]
    fn phase_from_observations() {
        let deny = Finding::deny(
            "DR-NKRI",
            "spec.s3.endpoint",
            Text::new("abroad", "luar negeri"),
            Text::new("fix", "perbaiki"),
        );
        let warn = Finding::warn(
            "DATA-DC",
            "spec.site",
            Text::new("meh", "meh"),
            Text::new("", ""),
        );
        let table: Vec<(Observation, RepositoryPhase, &str, &str)> = vec![
            (
                Observation::Opened { created: false },
                RepositoryPhase::Available,
                reason::AVAILABLE,
                "opened",
            ),
            (
                Observation::Opened { created: true },
                RepositoryPhase::Available,
                reason::CREATED,
                "created",
            ),
            (
                Observation::WrongKey,
                RepositoryPhase::Unavailable,
                reason::WRONG_KEY,
                "SEC-CIA",
            ),
            (
                Observation::NoRepository,
                RepositoryPhase::Unavailable,
                reason::NO_REPOSITORY,
                "ReadOnly",
            ),
            (
                Observation::Unreachable("connection refused".into()),
                RepositoryPhase::Unavailable,
                reason::UNREACHABLE,
                "connection refused",
            ),
            (
                Observation::PolicyDenied(vec![deny, warn]),
                RepositoryPhase::Unavailable,
                reason::POLICY_DENIED,
                "DR-NKRI spec.s3.endpoint: abroad",
            ),
            (
                Observation::Refused(secret_missing(
                    SecretUse::RepositoryKey,
                    "dinkes",
                    "k",
                    Some("password"),
                )),
                RepositoryPhase::Unavailable,
                reason::SECRET_NOT_FOUND,
                "dinkes/k (key password)",
            ),
        ];
        for (obs, phase, why, text) in table {
            let v = verdict(&obs);
            assert_eq!((v.phase, v.reason), (phase, why), "{obs:?}");
            assert!(v.message.en.contains(text), "{obs:?}: {}", v.message.en);
            assert!(!v.message.id.is_empty() && v.message.id != v.message.en);
        }
        // Only denying findings count.
        let v = verdict(&Observation::PolicyDenied(vec![]));
        assert!(!v.message.en.contains("DATA-DC"));
        assert!(policy_allows(&[Finding::warn(
            "DATA-DC",
            "x",
            Text::default(),
            Text::default()
        )]));
    }

    #[test]
    fn validation_timing() {
        let now = ts("2026-11-25T00:10:00Z");
        let five = Duration::from_secs(300);
        let hour = Duration::from_secs(3600);
        let avail = Some(RepositoryPhase::Available);
        let down = Some(RepositoryPhase::Unavailable);
        // (last validated, observed generation, generation, phase, interval, due)
        type Row = (
            Option<&'static str>,
            Option<i64>,
            Option<i64>,
            Option<RepositoryPhase>,
            Duration,
            Due,
        );
        let table: Vec<Row> = vec![
            (None, None, Some(1), None, five, Due::Now),
            (
                Some("2026-11-25T00:09:00Z"),
                Some(1),
                Some(2),
                avail,
                five,
                Due::Now,
            ),
            (
                Some("2026-11-25T00:09:00Z"),
                Some(1),
                Some(1),
                avail,
                five,
                Due::At(ts("2026-11-25T00:14:00Z")),
            ),
            (
                Some("2026-11-25T00:05:00Z"),
                Some(1),
                Some(1),
                avail,
                five,
                Due::Now,
            ),
            (
                Some("2026-11-25T00:09:00Z"),
                Some(1),
                Some(1),
                avail,
                hour,
                Due::At(ts("2026-11-25T01:09:00Z")),
            ),
            // Unavailable: retried within a minute, whatever the interval.
            (
                Some("2026-11-25T00:09:30Z"),
                Some(1),
                Some(1),
                down,
                hour,
                Due::At(ts("2026-11-25T00:10:30Z")),
            ),
            (
                Some("2026-11-25T00:09:00Z"),
                Some(1),
                Some(1),
                down,
                hour,
                Due::Now,
            ),
        ];
        for (last, observed, generation, phase, interval, want) in table {
            let got = validation_due(last.map(ts), observed, generation, phase, interval, now);
            assert_eq!(got, want, "{last:?} {observed:?}/{generation:?} {phase:?}");
        }
    }

    fn plan(check: Option<&str>, subset: Option<&str>, agency: &str) -> DisasterRecoveryPlan {
        let mut p = fixtures::plan();
        p.spec.tiers.truncate(1);
        p.spec.tiers[0].members[0].agency = agency.into();
        p.spec.tiers[0].verification = Verification {
            check_schedule: check.map(str::to_string),
            read_data_subset: subset.map(str::to_string),
            restore_test_schedule: Some("0 3 * * 0".into()),
        };
        p
    }

    #[test]
    fn verification_comes_from_the_tiers_of_the_agency_at_the_site() {
        let p = plan(Some("@every 24h"), Some("5%"), "dinkes");
        let drc = p.spec.drc_site.clone();
        let v = verification_plan(std::slice::from_ref(&p), "dinkes", &drc);
        assert_eq!(v.checks.len(), 1);
        assert_eq!(v.restore_tests.len(), 1);
        assert_eq!(v.read_data_subset.as_deref(), Some("5%"));
        // Another agency, another site: nothing.
        assert_eq!(
            verification_plan(std::slice::from_ref(&p), "disdik", &drc),
            VerificationPlan::default()
        );
        assert_eq!(
            verification_plan(std::slice::from_ref(&p), "dinkes", "elsewhere"),
            VerificationPlan::default()
        );
        // Two plans: both schedules, the larger subset.
        let q = plan(Some("@every 1h"), Some("20%"), "dinkes");
        let v = verification_plan(&[p, q], "dinkes", &drc);
        assert_eq!(v.checks.len(), 2);
        assert_eq!(v.read_data_subset.as_deref(), Some("20%"));
        // No check schedule, 0%: no check, no subset.
        let r = plan(None, Some("0%"), "dinkes");
        let v = verification_plan(&[r], "dinkes", &drc);
        assert!(v.checks.is_empty());
        assert_eq!(v.read_data_subset, None);
    }

    #[test]
    fn a_check_is_due_after_the_next_scheduled_slot() {
        let daily = crate::dr::cron::parse("0 2 * * *").unwrap();
        let hourly = crate::dr::cron::parse("@every 1h").unwrap();
        let now = ts("2026-11-25T03:30:00Z");
        let table: Vec<(Option<&str>, Vec<CronSpec>, Due)> = vec![
            (None, vec![], Due::Never),
            (Some("2026-11-20T00:00:00Z"), vec![], Due::Never),
            (None, vec![daily.clone()], Due::Now),
            (Some("2026-11-24T02:00:00Z"), vec![daily.clone()], Due::Now),
            (
                Some("2026-11-25T02:00:00Z"),
                vec![daily.clone()],
                Due::At(ts("2026-11-26T02:00:00Z")),
            ),
            // Missed for days: one run now, not one per slot.
            (Some("2026-11-01T02:00:00Z"), vec![daily.clone()], Due::Now),
            // The most frequent schedule wins.
            (
                Some("2026-11-25T03:10:00Z"),
                vec![daily.clone(), hourly.clone()],
                Due::At(ts("2026-11-25T04:00:00Z")),
            ),
        ];
        for (last, schedules, want) in table {
            assert_eq!(run_due(last.map(ts), &schedules, now), want, "{last:?}");
        }
    }

    #[test]
    fn requeue_is_bounded() {
        let now = ts("2026-11-25T00:00:00Z");
        let (floor, ceiling) = (Duration::from_secs(5), Duration::from_secs(3600));
        let at = |s| Due::At(ts(s));
        assert_eq!(requeue_after(&[Due::Never], now, floor, ceiling), ceiling);
        assert_eq!(requeue_after(&[Due::Now], now, floor, ceiling), floor);
        assert_eq!(
            requeue_after(
                &[
                    at("2026-11-25T00:05:00Z"),
                    at("2026-11-25T00:02:00Z"),
                    Due::Never
                ],
                now,
                floor,
                ceiling
            ),
            Duration::from_secs(120)
        );
        assert_eq!(
            requeue_after(&[at("2026-11-27T00:00:00Z")], now, floor, ceiling),
            ceiling
        );
    }

    #[test]
    fn data_is_deleted_only_when_the_spec_says_so_and_the_key_opened_it() {
        let mut spec = fixtures::backup_repository("dinkes", "drc-bandung").spec;
        let opened = Observation::Opened { created: false };
        let all = [
            None,
            Some(opened.clone()),
            Some(Observation::WrongKey),
            Some(Observation::NoRepository),
            Some(Observation::Unreachable("down".into())),
        ];
        // Retain: always let go, never delete, whatever was observed.
        for o in &all {
            assert_eq!(deletion(&spec, o.as_ref()), Deletion::Release);
        }
        spec.deletion_policy = DeletionPolicy::Delete;
        assert_eq!(deletion(&spec, Some(&opened)), Deletion::DeleteData);
        assert_eq!(
            deletion(&spec, Some(&Observation::NoRepository)),
            Deletion::Release
        );
        for o in [
            None,
            Some(Observation::WrongKey),
            Some(Observation::Unreachable("down".into())),
        ] {
            let Deletion::Blocked(r) = deletion(&spec, o.as_ref()) else {
                panic!("{o:?} must block")
            };
            assert!(r.message.en.contains("Retain"), "{}", r.message.en);
        }
        spec.access_mode = AccessMode::ReadOnly;
        for o in &all {
            assert!(matches!(deletion(&spec, o.as_ref()), Deletion::Blocked(_)));
        }
    }
}
