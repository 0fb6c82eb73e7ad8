//! `pusdata bench drill`: how much a drill's orchestration (step machine, gRPC, mTLS,
//! fencing, sign-offs, report) adds to the restores it contains. It runs `drill --local`,
//! then the same restores and checksum verifications straight through the mover — level by
//! level of the dependency graph, in parallel within a level, exactly as the drill may — and
//! prints the ratio. Target in issue #6: at most 1.2×.

use crate::cli::BenchDrillArgs;
use crate::error::CliError;
use pusdata::agent::work::tree_checksum;
use pusdata::drill::{LocalDrillOptions, load_plan, run_local};
use pusdata::mover::{self, RepoConfig, RestoreEngine, RestoreRequest, SnapshotRef};
use pusdata_core::i18n::Lang;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Depth of each member in the dependency graph: 0 for those that depend on nothing.
fn levels(plan: &pusdata_crds::v1alpha1::DisasterRecoveryPlan) -> Vec<Vec<(String, String)>> {
    let members = pusdata_core::dr::members(&plan.spec);
    let order = pusdata_core::dr::dependency_order(&plan.spec).unwrap_or_default();
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    for name in &order {
        let Some((_, m)) = members.iter().find(|(_, m)| &m.name == name) else {
            continue;
        };
        let d = m
            .depends_on
            .iter()
            .filter_map(|x| depth.get(x))
            .map(|d| d + 1)
            .max()
            .unwrap_or(0);
        depth.insert(name.clone(), d);
    }
    let mut out: Vec<Vec<(String, String)>> = Vec::new();
    for (_, m) in &members {
        let d = depth.get(&m.name).copied().unwrap_or(0);
        if out.len() <= d {
            out.resize(d + 1, Vec::new());
        }
        out[d].push((m.name.clone(), m.agency.clone()));
    }
    out
}

fn bare_restore(drc: &Path, scratch: &Path, name: &str, agency: &str) -> Result<(), String> {
    let key = std::fs::read_to_string(drc.join("keys").join(format!("{agency}.key")))
        .map_err(|e| e.to_string())?;
    let repo = RepoConfig::local(drc.join("repos").join(agency), key.trim().to_string());
    let target = scratch.join(name);
    mover::restore(
        &repo,
        &RestoreRequest {
            snapshot: SnapshotRef::Latest,
            tags: vec![format!("pvc={name}")],
            target: target.clone(),
            engine: RestoreEngine::default(),
            owner: Default::default(),
        },
    )
    .map_err(|e| e.to_string())?;
    tree_checksum(&target)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs the benchmark and prints its figures.
pub fn run(args: &BenchDrillArgs) -> Result<(), CliError> {
    let root = args.workdir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("pusdata-bench-drill-{}", std::process::id()))
    });
    let workdir = root.join("drill");
    let exe = std::env::current_exe().map_err(|e| CliError::Internal(e.to_string()))?;
    let outcome = run_local(&LocalDrillOptions {
        plan: args.plan.clone(),
        workdir: workdir.clone(),
        exe,
        bytes_per_service: args.mib_per_service.max(1) * 1024 * 1024,
        lang: Lang::En,
        progress: false,
        resume: false,
        s3_repo_base: None,
        allow_findings: false,
    })
    .map_err(|e| CliError::Internal(e.to_string()))?;
    if !outcome.succeeded() {
        return Err(CliError::Check(
            "the drill failed; no figure to report".into(),
        ));
    }
    let status = outcome.failover.status.clone().unwrap_or_default();
    let drill_rto = status
        .tiers
        .iter()
        .filter_map(|t| t.rto_achieved_seconds)
        .max()
        .unwrap_or(0);

    let plan = load_plan(&args.plan).map_err(|e| CliError::Input(e.to_string()))?;
    let drc = workdir.join("drc");
    let scratch: PathBuf = root.join("bare");
    let started = Instant::now();
    for level in levels(&plan) {
        let results: Vec<Result<(), String>> = std::thread::scope(|s| {
            let handles: Vec<_> = level
                .iter()
                .map(|(name, agency)| {
                    let (drc, scratch) = (&drc, &scratch);
                    s.spawn(move || bare_restore(drc, scratch, name, agency))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("restore thread panicked".into()))
                })
                .collect()
        });
        if let Some(Err(e)) = results.into_iter().find(Result::is_err) {
            return Err(CliError::Internal(format!("bare restore: {e}")));
        }
    }
    let bare = started.elapsed().as_secs_f64();
    let drill_loss_to_verified = outcome.drill_seconds;
    println!(
        "pusdata bench drill ({} MiB per service, plan {})",
        args.mib_per_service,
        args.plan.display()
    );
    println!(
        "  drill: loss → last step {drill_loss_to_verified:.2} s (RTO recorded per tier, whole seconds: max {drill_rto} s)"
    );
    println!("  bare restores + checksums, same dependency levels: {bare:.2} s");
    println!(
        "  overhead ratio drill ÷ bare: {:.2}× (target ≤ 1.20×)",
        drill_loss_to_verified / bare.max(1e-9)
    );
    if args.workdir.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    Ok(())
}
