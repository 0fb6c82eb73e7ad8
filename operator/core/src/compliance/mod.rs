//! The compliance report (AUDIT, Perda 43-45) as one pure function: [`assemble`] takes the
//! objects (manifests read offline, or the objects a controller lists) and "now", and returns
//! for every rule of the regulations its article, what Pusdata checks, the findings that
//! stand, the exceptions with their expiry, and the last drill of every plan with the RPO
//! and RTO it achieved.
//!
//! Findings come from the same engines as `pusdata policy check` ([`policy::evaluate_with_schema`])
//! and `pusdata plan check` ([`dr::check_plan_with`]), so the report cannot disagree with
//! admission. Drills and failovers are `Failover` objects: the ones in the cluster, or the
//! `failover.yaml` a local drill writes into its work directory.
//!
//! The JSON form is the [`Report`] struct serialised; its field names are a contract
//! ([`SCHEMA_VERSION`]) and a test pins them.

use crate::dr::{self, CheckSettings, Measurements};
use crate::finding::{Finding, Severity};
use crate::i18n::Text;
use crate::policy::{self, Context};
use crate::rules::RULES;
use jiff::Timestamp;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{Failover, FailoverPhase, FailoverType, TierOutcome};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Version of the JSON form; bumped when a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

/// One object given to the report, with where it came from.
#[derive(Clone, Debug)]
pub struct Subject {
    /// A file path, or `cluster` for objects listed from the API.
    pub source: String,
    /// The object.
    pub object: Object,
    /// Messages of the CRD's CEL rules it breaks (the API server would refuse it).
    pub schema_errors: Vec<String>,
}

impl Subject {
    /// An object without schema errors.
    pub fn new(source: impl Into<String>, object: Object) -> Subject {
        Subject {
            source: source.into(),
            object,
            schema_errors: Vec::new(),
        }
    }
}

/// How a rule is covered by automatic checks. What is checked, and why a rule is not checked
/// automatically, are catalogue messages (`rule-<id>-checked`, `rule-<id>-manual` in
/// `i18n/{en,id}/rules.ftl`).
#[derive(Clone, Copy, Debug)]
pub struct Coverage {
    /// Rule ID.
    pub rule: &'static str,
    /// Kinds whose objects the automatic check looks at; empty when the rule is not checked
    /// automatically from objects.
    pub kinds: &'static [&'static str],
    /// Not checked automatically (`rule-<id>-manual` says why).
    pub manual: bool,
}

impl Coverage {
    fn message(&self, suffix: &str) -> Text {
        crate::i18n::text(
            &format!("rule-{}-{suffix}", self.rule.to_ascii_lowercase()),
            &[],
        )
    }

    /// What Pusdata checks.
    pub fn checked(&self) -> Text {
        self.message("checked")
    }

    /// Why it is not checked automatically, when it is not.
    pub fn manual_because(&self) -> Option<Text> {
        self.manual.then(|| self.message("manual"))
    }
}

/// Coverage of every rule, in the order of the regulations table.
pub const COVERAGE: &[Coverage] = &[
    Coverage {
        rule: "HOST-PLACE",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "HOST-POWER",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "HOST-LEGAL",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "HOST-CLEAN",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "HOST-ACCESS",
        kinds: &[],
        manual: true,
    },
    Coverage {
        rule: "HOST-RACK",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "HOST-SITE",
        kinds: &[],
        manual: true,
    },
    Coverage {
        rule: "WEB-DC",
        kinds: &["HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "CLOUD-CITY",
        kinds: &["Agency", "HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "CLOUD-NKRI",
        kinds: &["ExternalCloudService"],
        manual: false,
    },
    Coverage {
        rule: "NET-PORTS",
        kinds: &["Agency", "HostingRequest"],
        manual: false,
    },
    Coverage {
        rule: "SEC-REGISTER",
        kinds: &[],
        manual: true,
    },
    Coverage {
        rule: "DR-PLAN",
        kinds: &["DisasterRecoveryPlan"],
        manual: false,
    },
    Coverage {
        rule: "DR-FAR",
        kinds: &["Site", "DisasterRecoveryPlan"],
        manual: false,
    },
    Coverage {
        rule: "DR-NKRI",
        kinds: &["Site", "BackupRepository", "DisasterRecoveryPlan"],
        manual: false,
    },
    Coverage {
        rule: "APP-BACKUP",
        kinds: &["HostingRequest", "DisasterRecoveryPlan", "Failover"],
        manual: false,
    },
    Coverage {
        rule: "DATA-DC",
        kinds: &["BackupRepository", "DisasterRecoveryPlan"],
        manual: false,
    },
    Coverage {
        rule: "SEC-CIA",
        kinds: &[],
        manual: true,
    },
    Coverage {
        rule: "SEC-INCIDENT",
        kinds: &["Failover"],
        manual: false,
    },
    Coverage {
        rule: "AUDIT",
        kinds: &["ResidencyPolicy"],
        manual: false,
    },
];

/// Status of one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Checked automatically; no denying or warning finding stands.
    Compliant,
    /// At least one denying or warning finding stands.
    Findings,
    /// Not checked automatically (see `notCheckedBecause`).
    NotChecked,
}

impl Status {
    /// Label for people.
    pub fn text(self) -> Text {
        match self {
            Status::Compliant => crate::t!("compliance-compliant"),
            Status::Findings => crate::t!("compliance-findings"),
            Status::NotChecked => {
                crate::t!("compliance-checked-automatically")
            }
        }
    }
}

/// One finding, with the object it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `Kind namespace/name`.
    pub object: String,
    /// Where the object came from.
    pub source: String,
    /// Severity.
    pub severity: Severity,
    /// Field path.
    pub path: String,
    /// What is wrong.
    pub message: Text,
    /// How to fix it.
    pub hint: Text,
    /// The exception in force that suppresses it, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excepted_by: Option<String>,
}

/// One rule in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleReport {
    /// Rule ID.
    pub id: String,
    /// Articles.
    pub source: String,
    /// What the rule requires.
    pub requirement: Text,
    /// What Pusdata checks.
    pub checked: Text,
    /// Whether it is checked automatically from objects.
    pub automatic: bool,
    /// Why not, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_checked_because: Option<Text>,
    /// Objects of the kinds the check looks at.
    pub objects_checked: usize,
    /// Status.
    pub status: Status,
    /// Findings that stand (exceptions applied), information ones included.
    pub findings: Vec<Entry>,
    /// Findings suppressed by an exception in force.
    pub excepted: Vec<Entry>,
    /// Names of the exceptions for this rule (in force or expired).
    pub exceptions: Vec<String>,
}

/// One exception of a `ResidencyPolicy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionReport {
    /// The policy that grants it.
    pub policy: String,
    /// Its name.
    pub name: String,
    /// Rule ID.
    pub rule: String,
    /// `Kind namespace/name` of the excepted object.
    pub target: String,
    /// Why.
    pub reason: String,
    /// Ticket or letter.
    pub ticket: String,
    /// Who approved it.
    pub approved_by: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Past its expiry at the report's time.
    pub expired: bool,
}

/// One tier of a drill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierReport {
    /// Tier name.
    pub tier: String,
    /// Target RPO, seconds.
    pub rpo_target_seconds: u64,
    /// Achieved RPO, seconds.
    pub rpo_achieved_seconds: Option<u64>,
    /// Target RTO, seconds.
    pub rto_target_seconds: u64,
    /// Achieved RTO, seconds.
    pub rto_achieved_seconds: Option<u64>,
    /// Both met.
    pub met: Option<bool>,
}

impl From<&TierOutcome> for TierReport {
    fn from(o: &TierOutcome) -> TierReport {
        TierReport {
            tier: o.tier.clone(),
            rpo_target_seconds: o.rpo_target_seconds,
            rpo_achieved_seconds: o.rpo_achieved_seconds,
            rto_target_seconds: o.rto_target_seconds,
            rto_achieved_seconds: o.rto_achieved_seconds,
            met: o.met,
        }
    }
}

/// The last drill of one plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DrillReport {
    /// Plan name.
    pub plan: String,
    /// The Failover's name; `None` when the plan has no recorded drill.
    pub drill: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// `Succeeded`, `Failed`, `Running`…
    pub phase: Option<String>,
    /// RFC 3339.
    pub started_at: Option<String>,
    /// RFC 3339.
    pub finished_at: Option<String>,
    /// SHA-256 of its HTML report.
    pub report_sha256: Option<String>,
    /// Per tier.
    pub tiers: Vec<TierReport>,
}

/// Counts over the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rules in the report (all of the regulations table).
    pub rules: usize,
    /// Rules compliant.
    pub compliant: usize,
    /// Rules with findings.
    pub with_findings: usize,
    /// Rules not checked automatically.
    pub not_checked: usize,
    /// Objects read.
    pub objects: usize,
    /// Standing findings with severity deny.
    pub deny: usize,
    /// Standing findings with severity warn.
    pub warn: usize,
    /// Exceptions past their expiry.
    pub expired_exceptions: usize,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// RFC 3339.
    pub generated_at: String,
    /// Counts.
    pub summary: Summary,
    /// Every rule of the regulations table, in its order.
    pub rules: Vec<RuleReport>,
    /// Every exception of every policy.
    pub exceptions: Vec<ExceptionReport>,
    /// The last drill of every plan.
    pub drills: Vec<DrillReport>,
    /// Findings under no rule of the table (a CRD's own schema rules).
    pub other_findings: Vec<Entry>,
}

fn object_label(object: &Object) -> String {
    let (kind, namespace, name) = policy::identity(object);
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

fn entry(object: String, source: &str, f: &Finding, excepted_by: Option<String>) -> Entry {
    Entry {
        object,
        source: source.to_string(),
        severity: f.severity,
        path: f.path.clone(),
        message: f.message.clone(),
        hint: f.hint.clone(),
        excepted_by,
    }
}

/// The execution's start, for ordering (creation time when it never started).
fn started(f: &Failover) -> Option<Timestamp> {
    f.status
        .as_ref()
        .and_then(|s| s.started_at.as_ref())
        .or(f.metadata.creation_timestamp.as_ref())
        .map(|t| t.0)
}

fn phase(f: &Failover) -> Option<FailoverPhase> {
    f.status.as_ref().and_then(|s| s.phase)
}

fn phase_name(p: FailoverPhase) -> String {
    format!("{p:?}")
}

/// Findings on the executions of one plan (APP-BACKUP: drills prove the restore works) and
/// the row of its last drill.
fn drill_evidence(
    plan_name: &str,
    plan: Option<&pusdata_crds::v1alpha1::DisasterRecoveryPlan>,
    drills: &[(&Subject, &Failover)],
) -> (DrillReport, Vec<Finding>) {
    let mut out = Vec::new();
    let last = drills
        .iter()
        .filter(|(_, f)| f.spec.plan == plan_name && f.spec.kind == FailoverType::Drill)
        .max_by_key(|(s, f)| (started(f), s.source.clone()));
    let Some((subject, drill)) = last else {
        out.push(Finding::warn(
            "APP-BACKUP",
            "",
            crate::t!("compliance-plan-recorded-drill-so", plan_name = &plan_name),
            crate::t!("compliance-run-drill-pusdata-drill"),
        ));
        return (
            DrillReport {
                plan: plan_name.to_string(),
                drill: None,
                source: None,
                phase: None,
                started_at: None,
                finished_at: None,
                report_sha256: None,
                tiers: Vec::new(),
            },
            out,
        );
    };
    let name = drill.metadata.name.clone().unwrap_or_default();
    let status = drill.status.clone().unwrap_or_default();
    let tiers = match (status.tiers.is_empty(), plan) {
        (false, _) => status.tiers.clone(),
        (true, Some(p)) => dr::tier_outcomes(p, &status, &BTreeMap::new()),
        (true, None) => Vec::new(),
    };
    match phase(drill) {
        Some(FailoverPhase::Failed) => out.push(Finding::deny(
            "APP-BACKUP",
            "status.phase",
            crate::t!(
                "compliance-last-drill-plan-failed",
                plan_name = &plan_name,
                name = &name
            ),
            crate::t!("compliance-read-drill-s-report"),
        )),
        Some(FailoverPhase::Succeeded) => {}
        _ => out.push(Finding {
            severity: Severity::Info,
            ..Finding::warn(
                "APP-BACKUP",
                "status.phase",
                crate::t!(
                    "compliance-last-drill-plan-finished",
                    plan_name = &plan_name,
                    name = &name
                ),
                crate::t!("compliance-wait-resume-pusdata-drill"),
            )
        }),
    }
    for t in tiers.iter().filter(|t| t.met == Some(false)) {
        let achieved = |s: Option<u64>| s.map_or_else(|| "—".to_string(), |s| format!("{s} s"));
        out.push(Finding::warn(
            "APP-BACKUP",
            &format!("status.tiers[{}]", t.tier),
            crate::t!(
                "compliance-drill-tier-missed-objectives",
                name = &name,
                tier = &t.tier,
                rpo_achieved_seconds = &achieved(t.rpo_achieved_seconds),
                rpo_target_seconds = &t.rpo_target_seconds,
                rto_achieved_seconds = &achieved(t.rto_achieved_seconds),
                rto_target_seconds = &t.rto_target_seconds
            ),
            crate::t!("compliance-back-up-more-often"),
        ));
    }
    let at = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.map(|t| t.0.to_string())
    };
    (
        DrillReport {
            plan: plan_name.to_string(),
            drill: Some(name),
            source: Some(subject.source.clone()),
            phase: phase(drill).map(phase_name),
            started_at: at(status.started_at.as_ref()),
            finished_at: at(status.finished_at.as_ref()),
            report_sha256: status.report.as_ref().and_then(|r| r.sha256.clone()),
            tiers: tiers.iter().map(TierReport::from).collect(),
        },
        out,
    )
}

/// SEC-INCIDENT: a finished failover or failback without a written, hashed report.
fn incident_report(f: &Failover) -> Option<Finding> {
    let finished = matches!(
        phase(f),
        Some(FailoverPhase::Succeeded | FailoverPhase::Failed)
    );
    let hashed = f
        .status
        .as_ref()
        .and_then(|s| s.report.as_ref())
        .is_some_and(|r| r.sha256.is_some());
    (f.spec.kind != FailoverType::Drill && finished && !hashed).then(|| {
        Finding::deny(
            "SEC-INCIDENT",
            "status.report",
            crate::t!("compliance-failover-finished-without-written"),
            crate::t!("compliance-write-report-failover-controller"),
        )
    })
}

/// Assembles the report. Pure: everything, including the time, is passed in.
pub fn assemble(subjects: &[Subject], now: Timestamp) -> Report {
    let ctx = Context::from_objects(subjects.iter().map(|s| &s.object));
    // (rule, entry, excepted?) for every finding.
    let mut all: Vec<(String, Entry)> = Vec::new();
    let mut excepted: Vec<(String, Entry)> = Vec::new();
    for s in subjects {
        let label = object_label(&s.object);
        let ev = policy::evaluate_with_schema(&s.object, &s.schema_errors, &ctx, now);
        for f in &ev.findings {
            all.push((f.rule.clone(), entry(label.clone(), &s.source, f, None)));
        }
        for e in &ev.excepted {
            excepted.push((
                e.finding.rule.clone(),
                entry(
                    label.clone(),
                    &s.source,
                    &e.finding,
                    Some(e.exception.clone()),
                ),
            ));
        }
        if let Object::Failover(f) = &s.object
            && let Some(finding) = incident_report(f)
        {
            all.push((
                finding.rule.clone(),
                entry(label.clone(), &s.source, &finding, None),
            ));
        }
    }
    // The plan checker, with the policy's site rules.
    let settings = CheckSettings {
        site_rules: ctx.settings.site_rules(),
        ..CheckSettings::default()
    };
    let executions: Vec<(&Subject, &Failover)> = subjects
        .iter()
        .filter_map(|s| match &s.object {
            Object::Failover(f) => Some((s, f)),
            _ => None,
        })
        .collect();
    let mut drills = Vec::new();
    let mut plans_seen = BTreeSet::new();
    // The plan checks take owned slices; a report is built once, offline.
    let sites: Vec<_> = ctx.sites.iter().map(|s| s.as_ref().clone()).collect();
    let repositories: Vec<_> = ctx
        .repositories
        .iter()
        .map(|r| r.as_ref().clone())
        .collect();
    for s in subjects {
        let Object::DisasterRecoveryPlan(plan) = &s.object else {
            continue;
        };
        let name = plan.metadata.name.clone().unwrap_or_default();
        let label = object_label(&s.object);
        for f in dr::check_plan_with(
            plan,
            &sites,
            &repositories,
            &Measurements::default(),
            &settings,
        ) {
            all.push((f.rule.clone(), entry(label.clone(), &s.source, &f, None)));
        }
        let (row, findings) = drill_evidence(&name, Some(plan), &executions);
        for f in &findings {
            all.push((f.rule.clone(), entry(label.clone(), &s.source, f, None)));
        }
        drills.push(row);
        plans_seen.insert(name);
    }
    // Drills of plans not given: still listed, without findings on a plan nobody showed.
    let others: BTreeSet<&str> = executions
        .iter()
        .filter(|(_, f)| f.spec.kind == FailoverType::Drill)
        .map(|(_, f)| f.spec.plan.as_str())
        .filter(|p| !plans_seen.contains(*p))
        .collect();
    for p in others {
        drills.push(drill_evidence(p, None, &executions).0);
    }
    // One line per finding, even when two engines or two files say the same thing.
    let mut seen = BTreeSet::new();
    all.retain(|(rule, e)| {
        seen.insert((
            rule.clone(),
            e.object.clone(),
            e.path.clone(),
            e.message.en.clone(),
        ))
    });

    let exceptions: Vec<ExceptionReport> = subjects
        .iter()
        .filter_map(|s| match &s.object {
            Object::ResidencyPolicy(p) => Some(p),
            _ => None,
        })
        .flat_map(|p| {
            let policy = p.metadata.name.clone().unwrap_or_default();
            p.spec.exceptions.iter().map(move |e| ExceptionReport {
                policy: policy.clone(),
                name: e.name.clone(),
                rule: e.rule.clone(),
                target: match &e.target.namespace {
                    Some(ns) => format!("{} {ns}/{}", e.target.kind, e.target.name),
                    None => format!("{} {}", e.target.kind, e.target.name),
                },
                reason: e.reason.clone(),
                ticket: e.ticket.clone(),
                approved_by: e.approved_by.clone(),
                expires_at: e.expires_at.0.to_string(),
                expired: now >= e.expires_at.0,
            })
        })
        .collect();

    let kinds: Vec<&str> = subjects.iter().map(|s| s.object.kind()).collect();
    let rules: Vec<RuleReport> = RULES
        .iter()
        .map(|r| {
            let cov = COVERAGE.iter().find(|c| c.rule == r.id);
            let findings: Vec<Entry> = all
                .iter()
                .filter(|(id, _)| id == r.id)
                .map(|(_, e)| e.clone())
                .collect();
            let standing = findings.iter().any(|e| e.severity > Severity::Info);
            let manual = cov.and_then(Coverage::manual_because);
            let status = if standing {
                Status::Findings
            } else if manual.is_some() || cov.is_none() {
                Status::NotChecked
            } else {
                Status::Compliant
            };
            RuleReport {
                id: r.id.to_string(),
                source: r.source.to_string(),
                requirement: r.requirement(),
                checked: cov.map_or_else(Text::default, Coverage::checked),
                automatic: manual.is_none() && cov.is_some(),
                not_checked_because: manual,
                objects_checked: cov
                    .map_or(0, |c| kinds.iter().filter(|k| c.kinds.contains(k)).count()),
                status,
                findings,
                excepted: excepted
                    .iter()
                    .filter(|(id, _)| id == r.id)
                    .map(|(_, e)| e.clone())
                    .collect(),
                exceptions: exceptions
                    .iter()
                    .filter(|e| e.rule == r.id)
                    .map(|e| e.name.clone())
                    .collect(),
            }
        })
        .collect();
    let other_findings = all
        .iter()
        .filter(|(id, _)| crate::rules::rule(id).is_none())
        .map(|(_, e)| e.clone())
        .collect();
    let count = |s: Status| rules.iter().filter(|r| r.status == s).count();
    let severity = |s: Severity| all.iter().filter(|(_, e)| e.severity == s).count();
    Report {
        schema_version: SCHEMA_VERSION,
        generated_at: now.to_string(),
        summary: Summary {
            rules: rules.len(),
            compliant: count(Status::Compliant),
            with_findings: count(Status::Findings),
            not_checked: count(Status::NotChecked),
            objects: subjects.len(),
            deny: severity(Severity::Deny),
            warn: severity(Severity::Warn),
            expired_exceptions: exceptions.iter().filter(|e| e.expired).count(),
        },
        rules,
        exceptions,
        drills,
        other_findings,
    }
}

#[cfg(test)]
mod tests;
