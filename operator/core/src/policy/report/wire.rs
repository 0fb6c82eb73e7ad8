//! The upstream wire types of a report's content (`wgpolicyk8s.io/v1alpha2`), a leaf of
//! `report` so that both the builder and the compact form can use them.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The outcome of one result (upstream `PolicyResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The object breaks no rule.
    Pass,
    /// A rule is broken (denied in Enforce mode).
    Fail,
    /// A rule is nearly broken, or a note.
    Warn,
    /// The object could not be evaluated.
    Error,
    /// The finding is suppressed by an exception in force.
    Skip,
}

/// Counts per outcome (upstream `PolicyReportSummary`; every field always written).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Results that passed.
    #[serde(default)]
    pub pass: u32,
    /// Results that failed.
    #[serde(default)]
    pub fail: u32,
    /// Warnings.
    #[serde(default)]
    pub warn: u32,
    /// Objects that could not be evaluated.
    #[serde(default)]
    pub error: u32,
    /// Findings under an exception in force.
    #[serde(default)]
    pub skip: u32,
}

/// `metav1.Timestamp`: seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultTimestamp {
    /// Seconds since the epoch.
    #[serde(default)]
    pub seconds: i64,
    /// Nanoseconds within the second.
    #[serde(default)]
    pub nanos: i32,
}

impl From<Timestamp> for ResultTimestamp {
    fn from(t: Timestamp) -> Self {
        ResultTimestamp {
            seconds: t.as_second(),
            nanos: t.subsec_nanosecond(),
        }
    }
}

/// One result (upstream `PolicyReportResult`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportResult {
    /// The engine: always [`SOURCE`].
    #[serde(default)]
    pub source: String,
    /// The `ResidencyPolicy` whose settings applied (or [`DEFAULT_POLICY`]).
    pub policy: String,
    /// The rule ID, e.g. `CLOUD-NKRI` (absent on a `pass`, which covers every rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A family of rules, e.g. `Cloud residency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `critical`, `high`, `medium`, `low` or `info`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// When the result was first found.
    #[serde(default)]
    pub timestamp: ResultTimestamp,
    /// The outcome.
    pub result: Option<Outcome>,
    /// Whether the result counts towards a score (always true here).
    #[serde(default)]
    pub scored: bool,
    /// The object checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ObjectReference>,
    /// What is wrong, in English.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `article`, `path`, `hint`, `pesan` / `saran` (message and hint in Bahasa Indonesia),
    /// and `exception` / `expiresAt` on a skip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

/// The body of a `PolicyReport` or `ClusterPolicyReport` (everything but its metadata).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportContent {
    /// Unset: a report covers a whole namespace (or the cluster), and every result names
    /// its object in `resources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ObjectReference>,
    /// Counts per outcome.
    #[serde(default)]
    pub summary: Summary,
    /// Results, sorted by object then rule. Always written, even empty, so that applying an
    /// empty report removes the stale results.
    #[serde(default)]
    pub results: Vec<ReportResult>,
}

impl ReportContent {
    pub(super) fn from_results(mut results: Vec<ReportResult>) -> ReportContent {
        results.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let mut summary = Summary::default();
        for r in &results {
            match r.result {
                Some(Outcome::Pass) => summary.pass += 1,
                Some(Outcome::Fail) => summary.fail += 1,
                Some(Outcome::Warn) => summary.warn += 1,
                Some(Outcome::Error) => summary.error += 1,
                Some(Outcome::Skip) => summary.skip += 1,
                None => {}
            }
        }
        ReportContent {
            scope: None,
            summary,
            results,
        }
    }
}

fn sort_key(r: &ReportResult) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>, &str) {
    let res = r.resources.first();
    (
        res.and_then(|o| o.kind.as_deref()),
        res.and_then(|o| o.name.as_deref()),
        r.rule.as_deref(),
        r.properties.get("path").map(String::as_str),
        r.message.as_str(),
    )
}
