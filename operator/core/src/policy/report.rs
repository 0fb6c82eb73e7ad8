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
use std::collections::BTreeMap;

mod compact;
mod wire;
pub use compact::{Compact, CompactReport, result_digest};
pub use wire::{Outcome, ReportContent, ReportResult, ResultTimestamp, Summary};

/// The name of every report Pusdata writes (one per namespace, one cluster report).
pub const REPORT_NAME: &str = "pusdata-policy";
/// `source` of every result: the engine that wrote it.
pub const SOURCE: &str = "pusdata";
/// `policy` of results when no `ResidencyPolicy` exists (the documented defaults apply).
pub const DEFAULT_POLICY: &str = "pusdata-defaults";

/// The reports of one audit pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reports {
    /// The `ClusterPolicyReport` (always present, possibly empty).
    pub cluster: ReportContent,
    /// One `PolicyReport` per namespace holding at least one audited object.
    pub namespaced: BTreeMap<String, ReportContent>,
    /// The compact form of each report (`None`: the cluster report), made with the reports
    /// from the digests that carried the timestamps: what the audit compares with what it
    /// keeps, without digesting the results a second time.
    pub compact: BTreeMap<Option<String>, Compact>,
}

impl Reports {
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
pub type Previous<'a> = BTreeMap<Option<String>, &'a Compact>;

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
        let mut content = ReportContent::from_results(results);
        let compact = carry_timestamps(&mut content, previous.get(&namespace).copied(), now);
        reports.compact.insert(namespace.clone(), compact);
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

/// Stamps each result with when it was first found: its time in `old` when it was there
/// (matched by digest), else `now`. Returns the content's compact form, from the same digests.
fn carry_timestamps(content: &mut ReportContent, old: Option<&Compact>, now: Timestamp) -> Compact {
    let known: std::collections::HashMap<u64, ResultTimestamp> = old
        .map(|o| o.results.iter().copied().collect())
        .unwrap_or_default();
    let results = content
        .results
        .iter_mut()
        .map(|r| {
            let digest = result_digest(r);
            r.timestamp = known.get(&digest).copied().unwrap_or_else(|| now.into());
            (digest, r.timestamp)
        })
        .collect();
    Compact {
        scope: content.scope.clone(),
        summary: content.summary,
        results,
    }
}

#[cfg(test)]
mod tests;
