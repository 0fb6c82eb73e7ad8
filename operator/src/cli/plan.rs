//! `pusdata plan check FILE|DIR...`: the plan checker, offline.
//!
//! Reads the DisasterRecoveryPlan with its Sites, BackupRepositories and optional
//! ResidencyPolicy — from the paths given and the plan files' sibling manifests, as `drill
//! --local` does (`pusdata::plans`) — applies each CRD's own CEL rules (as the API server
//! would), then `pusdata_core::dr::check_plan_with`. Exit 0: no denying finding; 1: at least
//! one; 2: a file could not be read, parsed or classified.

use super::inputs;
use super::{PlanCheckArgs, PlanOutput};
use crate::error::CliError;
use pusdata::plans;
use pusdata_core::finding::{Finding, Severity};
use pusdata_core::i18n::{Lang, Msg};
use serde_json::json;

/// Runs the check and prints the findings.
pub fn check(args: &PlanCheckArgs, lang: Lang) -> Result<(), CliError> {
    let loaded = plans::resolve(
        &args.files,
        inputs::Options {
            skip_unknown: args.skip_unknown,
            ..Default::default()
        },
    )
    .map_err(|e| inputs::error(&e, lang))?;
    inputs::note_skipped(&loaded.inputs, lang);
    if loaded.plans.is_empty() {
        return Err(CliError::Input(
            Msg::BadInput {
                file: args
                    .files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                reason: pusdata_core::t!("cli-plan-disasterrecoveryplan-found")
                    .get(lang)
                    .to_string(),
            }
            .in_lang(lang),
        ));
    }
    let mut all: Vec<(String, Finding)> = loaded.crd_findings.clone();
    for plan in &loaded.plans {
        let mine = plans::findings(&loaded, plan);
        all.extend(mine.into_iter().skip(loaded.crd_findings.len()));
    }
    let count = |s: Severity| all.iter().filter(|(_, f)| f.severity == s).count();
    let (deny, warn, info) = (
        count(Severity::Deny),
        count(Severity::Warn),
        count(Severity::Info),
    );
    let summary = pusdata_core::t!(
        "cli-plan-finding-s-deny-warn",
        all_count = &all.len(),
        deny = &deny,
        warn = &warn,
        info = &info
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
