//! `pusdata plan check FILE|DIR...`: the plan checker, offline.
//!
//! Reads Sites, BackupRepositories, an optional ResidencyPolicy and the DisasterRecoveryPlan
//! from YAML, applies each CRD's own CEL rules (as the API server would), then
//! `pusdata_core::dr::check_plan`. Exit 0: no denying finding; 1: at least one; 2: a file
//! could not be read or parsed.

use super::{PlanCheckArgs, PlanOutput};
use crate::error::CliError;
use pusdata_core::dr::{self, CheckSettings, Measurements};
use pusdata_core::finding::{Finding, Severity};
use pusdata_core::i18n::{Lang, Msg, Text};
use pusdata_core::sites::SiteRules;
use pusdata_crds::v1alpha1::{BackupRepository, DisasterRecoveryPlan, Site};
use pusdata_crds::{Object, ObjectError};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What the files held.
#[derive(Default)]
struct Loaded {
    sites: Vec<Site>,
    repositories: Vec<BackupRepository>,
    plans: Vec<DisasterRecoveryPlan>,
    settings: CheckSettings,
    /// CEL rule failures, already as findings, with the object they concern.
    crd_findings: Vec<(String, Finding)>,
}

/// Runs the check and prints the findings.
pub fn check(args: &PlanCheckArgs, lang: Lang) -> Result<(), CliError> {
    let loaded = load(&args.files, lang)?;
    if loaded.plans.is_empty() {
        return Err(CliError::Input(
            Msg::BadInput {
                file: args
                    .files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                reason: Text::new(
                    "no DisasterRecoveryPlan found",
                    "tidak ada DisasterRecoveryPlan",
                )
                .get(lang)
                .to_string(),
            }
            .in_lang(lang),
        ));
    }
    let mut all: Vec<(String, Finding)> = loaded.crd_findings.clone();
    for plan in &loaded.plans {
        let name = format!(
            "DisasterRecoveryPlan/{}",
            plan.metadata.name.as_deref().unwrap_or_default()
        );
        for f in dr::check_plan_with(
            plan,
            &loaded.sites,
            &loaded.repositories,
            &Measurements::default(),
            &loaded.settings,
        ) {
            all.push((name.clone(), f));
        }
    }
    let count = |s: Severity| all.iter().filter(|(_, f)| f.severity == s).count();
    let (deny, warn, info) = (
        count(Severity::Deny),
        count(Severity::Warn),
        count(Severity::Info),
    );
    let summary = Text::new(
        format!(
            "{} finding(s): {deny} deny, {warn} warn, {info} info",
            all.len()
        ),
        format!(
            "{} temuan: {deny} tolak, {warn} peringatan, {info} info",
            all.len()
        ),
    );
    match args.output {
        PlanOutput::Text => {
            for (i, (object, f)) in all.iter().enumerate() {
                println!("{:>3}. {object}: {}", i + 1, f.line(lang));
            }
            if all.is_empty() {
                for p in &loaded.plans {
                    println!(
                        "{}",
                        Msg::ObjectOk {
                            object: format!(
                                "DisasterRecoveryPlan/{}",
                                p.metadata.name.as_deref().unwrap_or_default()
                            )
                        }
                        .in_lang(lang)
                    );
                }
            }
        }
        PlanOutput::Json => {
            let findings: Vec<_> = all
                .iter()
                .enumerate()
                .map(|(i, (object, f))| {
                    json!({
                        "number": i + 1,
                        "object": object,
                        "rule": f.rule,
                        "source": pusdata_core::rules::rule(&f.rule).map(|r| r.source),
                        "severity": f.severity,
                        "path": f.path,
                        "message": f.message,
                        "hint": f.hint,
                    })
                })
                .collect();
            let out = json!({
                "plans": loaded.plans.iter().map(|p| p.metadata.name.clone()).collect::<Vec<_>>(),
                "findings": findings,
                "summary": {"deny": deny, "warn": warn, "info": info},
            });
            let text = serde_json::to_string_pretty(&out)
                .map_err(|e| CliError::Internal(e.to_string()))?;
            println!("{text}");
        }
    }
    if deny > 0 {
        return Err(CliError::Check(summary.get(lang).to_string()));
    }
    if !all.is_empty() {
        eprintln!("{}", summary.get(lang));
    }
    Ok(())
}

fn bad(file: &Path, reason: impl std::fmt::Display, lang: Lang) -> CliError {
    CliError::Input(
        Msg::BadInput {
            file: file.display().to_string(),
            reason: reason.to_string(),
        }
        .in_lang(lang),
    )
}

/// YAML files of the paths: files as given, directories walked in name order.
fn files(paths: &[PathBuf], lang: Lang) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| bad(p, e, lang))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                if e.is_dir() {
                    out.extend(files(&[e], lang)?);
                } else if e.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    out.push(e);
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn load(paths: &[PathBuf], lang: Lang) -> Result<Loaded, CliError> {
    let mut loaded = Loaded::default();
    for file in files(paths, lang)? {
        let text = std::fs::read_to_string(&file).map_err(|e| bad(&file, e, lang))?;
        let docs = pusdata_crds::yaml_documents(&text).map_err(|e| bad(&file, e, lang))?;
        for doc in docs {
            let object = match Object::from_value(doc) {
                Ok(o) => o,
                // Other kinds (a Namespace, a Secret) may sit beside the plan: not ours to check.
                Err(ObjectError::NotPusdata { kind, .. }) => {
                    tracing::debug!(file = %file.display(), kind, "skipping a non-Pusdata document");
                    continue;
                }
                Err(e) => return Err(bad(&file, e, lang)),
            };
            crd_rules(&object, &mut loaded.crd_findings);
            match object {
                Object::Site(s) => loaded.sites.push(s),
                Object::BackupRepository(r) => loaded.repositories.push(r),
                Object::DisasterRecoveryPlan(p) => loaded.plans.push(p),
                Object::ResidencyPolicy(p) => {
                    loaded.settings.site_rules = SiteRules {
                        min_drc_distance_km: f64::from(p.spec.min_drc_distance_km),
                        allowed_countries: p.spec.allowed_countries.clone(),
                    };
                }
                _ => {}
            }
        }
    }
    Ok(loaded)
}

/// The CRD's CEL rules on the typed object re-serialised, so defaults are filled in as the
/// API server would before validating.
fn crd_rules(object: &Object, out: &mut Vec<(String, Finding)>) {
    if !matches!(
        object,
        Object::Site(_)
            | Object::BackupRepository(_)
            | Object::DisasterRecoveryPlan(_)
            | Object::ResidencyPolicy(_)
    ) {
        return;
    }
    let Ok(value) = object.to_value() else { return };
    let name = value
        .pointer("/metadata/name")
        .and_then(|v| v.as_str())
        .unwrap_or("<unnamed>")
        .to_string();
    let who = format!("{}/{name}", object.kind());
    if let Err(ObjectError::Rule { messages, .. }) = pusdata_crds::check_rules(&value, None) {
        // CEL messages lead with the rule ID when they enforce one (`DR-FAR: …`).
        let rule = messages
            .split(':')
            .next()
            .filter(|r| pusdata_core::rules::rule(r).is_some())
            .unwrap_or("DR-PLAN")
            .to_string();
        out.push((
            who,
            Finding::deny(
                &rule,
                "spec",
                Text::new(
                    format!("CRD rule broken: {messages}"),
                    format!("aturan CRD dilanggar: {messages}"),
                ),
                Text::new(
                    "the API server would reject this object; fix it first",
                    "API server akan menolak objek ini; perbaiki dulu",
                ),
            ),
        ));
    }
}
