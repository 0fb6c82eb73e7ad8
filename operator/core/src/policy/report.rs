//! Policy reports: the background audit's findings as the content of `wgpolicyk8s.io/v1alpha2`
//! `PolicyReport` (one per namespace) and `ClusterPolicyReport` (cluster-scoped objects), the
//! format Policy Reporter and Kyverno's report viewers read.
//!
//! [`build`] is pure: objects and context in, report contents out, with the timestamps of
//! results that were already reported carried over from the previous reports ("when the
//! result was found", as the upstream schema says). So an unchanged cluster yields unchanged
//! reports and the audit writes nothing. The shell (`controllers::audit`) wraps the contents
//! in the Kubernetes types and applies them.
//!
//! Mapping: a `deny` finding is a `fail` of severity `high`, a `warn` finding a `warn` of
//! severity `medium`, an `info` finding a `warn` of severity `info`; a finding suppressed by
//! an exception in force is a `skip` naming the exception and its expiry; an audited object
//! with no finding is one `pass`. The rule ID is `rule`; the article, the field path, the
//! hint and the Bahasa Indonesia message and hint are `properties`.

use super::{Context, Evaluation, evaluate_detailed, has_rules, meta};
use crate::finding::{Finding, Severity};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use pusdata_crds::Object;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name of every report Pusdata writes (one per namespace, one cluster report).
pub const REPORT_NAME: &str = "pusdata-policy";
/// `source` of every result: the engine that wrote it.
pub const SOURCE: &str = "pusdata";
/// `policy` of results when no `ResidencyPolicy` exists (the documented defaults apply).
pub const DEFAULT_POLICY: &str = "pusdata-defaults";

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
    fn from_results(mut results: Vec<ReportResult>) -> ReportContent {
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

/// The reports of one audit pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reports {
    /// The `ClusterPolicyReport` (always present, possibly empty).
    pub cluster: ReportContent,
    /// One `PolicyReport` per namespace holding at least one audited object.
    pub namespaced: BTreeMap<String, ReportContent>,
    /// Each report's [`compact`] form (`None`: the cluster report), from the digests
    /// [`build`] computed to carry the timestamps: each result is digested once.
    compacts: BTreeMap<Option<String>, ReportContent>,
}

impl Reports {
    /// The [`compact`] form of the report of `namespace` (`None`: the cluster report), as
    /// an audit compares it with the one it keeps.
    pub fn compact(&self, namespace: Option<&str>) -> Option<&ReportContent> {
        self.compacts.get(&namespace.map(str::to_string))
    }

    /// Standing findings (`fail` and `warn` results) counted per (rule, severity), for the
    /// `pusdata_policy_findings` gauge.
    pub fn finding_counts(&self) -> BTreeMap<(String, String), u64> {
        let mut counts = BTreeMap::new();
        let all = std::iter::once(&self.cluster).chain(self.namespaced.values());
        for r in all.flat_map(|c| &c.results) {
            if !matches!(r.result, Some(Outcome::Fail | Outcome::Warn)) {
                continue;
            }
            let key = (
                r.rule.clone().unwrap_or_default(),
                r.severity.clone().unwrap_or_default(),
            );
            *counts.entry(key).or_insert(0) += 1;
        }
        counts
    }
}

/// The previous reports, to carry "first found" timestamps over: `None` is the cluster
/// report, `Some(ns)` a namespace's.
pub type Previous<'a> = BTreeMap<Option<String>, &'a ReportContent>;

/// The name reports give the policy whose settings applied: the active `ResidencyPolicy`'s
/// (see [`active_policy`](super::active_policy)), else [`DEFAULT_POLICY`].
pub fn policy_name(active: Option<&pusdata_crds::v1alpha1::ResidencyPolicy>) -> String {
    active
        .and_then(|p| p.metadata.name.clone())
        .unwrap_or_else(|| DEFAULT_POLICY.to_string())
}

/// Evaluates every object that has rules (see [`has_rules`]), outside the exempt namespaces,
/// with [`evaluate_detailed`] and builds the reports; `policy` names the policy whose
/// settings `ctx` holds ([`policy_name`]). Results already in `previous` keep their
/// timestamp; new ones get `now`. The objects are taken one at a time, so a caller can hand
/// out copies one by one instead of holding a copy of the whole cluster (the operator's
/// audit at city scale).
pub fn build<O: std::borrow::Borrow<Object>>(
    objects: impl IntoIterator<Item = O>,
    policy: &str,
    ctx: &Context,
    now: Timestamp,
    previous: &Previous,
) -> Reports {
    let mut grouped: BTreeMap<Option<String>, Vec<ReportResult>> = BTreeMap::new();
    grouped.entry(None).or_default();
    for object in objects {
        let object = object.borrow();
        if !has_rules(object) {
            continue;
        }
        let namespace = meta(object).namespace.clone();
        // Exempt namespaces are exempt here as at admission.
        if namespace
            .as_deref()
            .is_some_and(|ns| ctx.settings.exempt(ns))
        {
            continue;
        }
        let results = results_for(object, &evaluate_detailed(object, ctx, now), policy);
        grouped.entry(namespace).or_default().extend(results);
    }
    let mut reports = Reports::default();
    for (namespace, results) in grouped {
        let digests: Vec<String> = results.iter().map(result_digest).collect();
        let mut results: Vec<(ReportResult, String)> = results.into_iter().zip(digests).collect();
        match previous.get(&namespace) {
            Some(old) => carry_timestamps(&mut results, &old.results, now),
            None => results
                .iter_mut()
                .for_each(|(r, _)| r.timestamp = now.into()),
        }
        results.sort_by(|a, b| sort_key(&a.0).cmp(&sort_key(&b.0)));
        let (results, digests): (Vec<ReportResult>, Vec<String>) = results.into_iter().unzip();
        let content = ReportContent::from_results(results);
        let kept = compact_with(&content, digests.into_iter());
        reports.compacts.insert(namespace.clone(), kept);
        match namespace {
            None => reports.cluster = content,
            Some(ns) => {
                reports.namespaced.insert(ns, content);
            }
        }
    }
    reports
}

/// The results of one object's evaluation (timestamps not yet set).
pub fn results_for(object: &Object, ev: &Evaluation, policy: &str) -> Vec<ReportResult> {
    let resource = reference(object);
    let base = ReportResult {
        source: SOURCE.to_string(),
        policy: policy.to_string(),
        scored: true,
        resources: vec![resource],
        ..ReportResult::default()
    };
    let mut out: Vec<ReportResult> = ev
        .findings
        .iter()
        .map(|f| finding_result(&base, f, outcome_of(f.severity)))
        .collect();
    for e in &ev.excepted {
        let mut r = finding_result(&base, &e.finding, Outcome::Skip);
        r.message = format!(
            "{} (excepted by {} until {})",
            r.message, e.exception, e.expires_at
        );
        r.properties.insert("exception".into(), e.exception.clone());
        r.properties
            .insert("expiresAt".into(), e.expires_at.clone());
        out.push(r);
    }
    if out.is_empty() {
        let mut pass = base;
        pass.result = Some(Outcome::Pass);
        let text = crate::t!("policy-report-pass");
        pass.message = text.en;
        pass.properties.insert("pesan".into(), text.id);
        out.push(pass);
    }
    out
}

fn outcome_of(severity: Severity) -> Outcome {
    match severity {
        Severity::Deny => Outcome::Fail,
        Severity::Warn | Severity::Info => Outcome::Warn,
    }
}

/// Upstream severities: `critical`, `high`, `medium`, `low`, `info`.
fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Deny => "high",
        Severity::Warn => "medium",
        Severity::Info => "info",
    }
}

/// The family of a rule, from its ID's prefix.
pub fn category(rule: &str) -> &'static str {
    match rule.split('-').next().unwrap_or_default() {
        "HOST" => "Hosting",
        "WEB" => "Web hosting",
        "CLOUD" => "Cloud residency",
        "NET" => "Network",
        "SEC" => "Security",
        "DR" => "Disaster recovery",
        "DATA" => "Data residency",
        "APP" => "Applications",
        _ => "Audit",
    }
}

fn finding_result(base: &ReportResult, f: &Finding, outcome: Outcome) -> ReportResult {
    let mut r = base.clone();
    r.rule = Some(f.rule.clone());
    r.category = Some(category(&f.rule).to_string());
    r.severity = Some(severity_label(f.severity).to_string());
    r.result = Some(outcome);
    r.message = f.message.en.clone();
    let mut props = BTreeMap::new();
    if let Some(rule) = crate::rules::rule(&f.rule) {
        props.insert("article".to_string(), rule.source.to_string());
    }
    props.insert("path".into(), f.path.clone());
    props.insert("hint".into(), f.hint.en.clone());
    props.insert("pesan".into(), f.message.id.clone());
    props.insert("saran".into(), f.hint.id.clone());
    r.properties = props;
    r
}

/// `pusdata.io/v1alpha1` reference to an object, with its UID when it has one.
pub fn reference(object: &Object) -> ObjectReference {
    let m = meta(object);
    ObjectReference {
        api_version: Some(format!("{}/{}", pusdata_crds::GROUP, pusdata_crds::VERSION)),
        kind: Some(object.kind().to_string()),
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        uid: m.uid.clone(),
        ..ObjectReference::default()
    }
}

/// Everything that identifies a result except its timestamp.
fn identity(r: &ReportResult) -> ReportResult {
    ReportResult {
        timestamp: ResultTimestamp::default(),
        ..r.clone()
    }
}

/// Each result (with its digest) takes the timestamp of the same result in `old`, else `now`.
fn carry_timestamps(results: &mut [(ReportResult, String)], old: &[ReportResult], now: Timestamp) {
    let known: BTreeMap<String, ResultTimestamp> = old
        .iter()
        .map(|r| (result_digest(r), r.timestamp))
        .collect();
    for (r, digest) in results {
        r.timestamp = known.get(digest).copied().unwrap_or_else(|| now.into());
    }
}

/// The property under which a [`compact`] result keeps its digest.
const DIGEST: &str = "pusdata.io/digest";

/// A result's identity (everything but its timestamp) as a short digest: what a result is
/// matched by across passes. A [`compact`] result gives the digest it keeps. The digest is
/// for this process only (it is never written).
fn result_digest(r: &ReportResult) -> String {
    if let Some(d) = compacted(r) {
        return d.to_string();
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    serde_json::to_string(&identity(r))
        .unwrap_or_default()
        .hash(&mut h);
    format!("{:016x}", h.finish())
}

/// The digest a [`compact`] result keeps, when `r` is one.
fn compacted(r: &ReportResult) -> Option<&str> {
    let bare = r.rule.is_none() && r.resources.is_empty() && r.message.is_empty();
    match (bare, r.properties.len()) {
        (true, 1) => r.properties.get(DIGEST).map(String::as_str),
        _ => None,
    }
}

/// What an audit needs to keep of a report it wrote: the summary and, per result, its
/// digest and when it was first found. Two contents are the same report exactly when their
/// compact forms are equal (up to the digest), `compact` of a compact form is itself, and a
/// compact form serves as [`Previous`]. A watched copy of every report at city scale (a result per
/// object) was the largest thing the operator kept after its stores.
pub fn compact(content: &ReportContent) -> ReportContent {
    compact_with(content, content.results.iter().map(result_digest))
}

/// [`compact`] with the results' digests already known, in the results' order.
fn compact_with(content: &ReportContent, digests: impl Iterator<Item = String>) -> ReportContent {
    ReportContent {
        scope: content.scope.clone(),
        summary: content.summary,
        results: content
            .results
            .iter()
            .zip(digests)
            .map(|(r, digest)| ReportResult {
                timestamp: r.timestamp,
                properties: [(DIGEST.to_string(), digest)].into(),
                ..ReportResult::default()
            })
            .collect(),
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

#[cfg(test)]
mod tests;
