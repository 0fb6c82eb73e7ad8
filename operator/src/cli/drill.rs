//! `pusdata drill`: today `--local`, a whole drill on this machine.

use super::{DrillAction, DrillArgs, DrillKind, drill_cluster};
use crate::error::CliError;
use pusdata::drill::{DrillError, LocalDrillOptions, run_local};
use pusdata_core::duration::human;
use pusdata_core::i18n::Lang;
use pusdata_crds::v1alpha1::{FailoverType, Scope};
use std::io::IsTerminal;
use std::time::Duration;

/// `start`, `status` and `approve` against the cluster of the kubeconfig.
fn cluster(action: DrillAction, lang: Lang) -> Result<(), CliError> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| CliError::Internal(e.to_string()))?;
    runtime.block_on(async move {
        let unreachable = |e: &dyn std::fmt::Display| {
            CliError::Input(
                pusdata_core::t!("cli-drill-cannot-reach-api", error = e)
                    .get(lang)
                    .to_string(),
            )
        };
        let mut config = kube::Config::infer().await.map_err(|e| unreachable(&e))?;
        if let DrillAction::Approve {
            as_user: Some(user),
            ..
        } = &action
        {
            // The API server checks that the caller may act as this user.
            config.auth_info.impersonate = Some(user.clone());
        }
        let client = kube::Client::try_from(config).map_err(|e| unreachable(&e))?;
        match action {
            DrillAction::Start {
                plan,
                kind,
                reason,
                tiers,
                services,
                accept_data_loss,
            } => {
                let kind = match kind {
                    DrillKind::Drill => FailoverType::Drill,
                    DrillKind::Failover => FailoverType::Failover,
                    DrillKind::Failback => FailoverType::Failback,
                };
                let name = drill_cluster::start(
                    &client,
                    &plan,
                    kind,
                    &reason,
                    Scope { tiers, services },
                    accept_data_loss,
                    jiff::Timestamp::now(),
                )
                .await?;
                println!("{name}");
            }
            DrillAction::Status { name } => {
                print!(
                    "{}",
                    drill_cluster::render_status(&drill_cluster::get(&client, &name).await?)
                );
            }
            DrillAction::Approve {
                step,
                failover,
                as_user,
            } => {
                let who = drill_cluster::identity(
                    &client,
                    as_user.as_deref(),
                    jiff::Timestamp::now(),
                    lang,
                )
                .await?;
                let msg = drill_cluster::approve(&client, &failover, &step, &who, lang).await?;
                println!("{}", msg.get(lang));
            }
        }
        Ok(())
    })
}

/// Runs the drill and prints where the report is.
pub fn run(args: DrillArgs, lang: Lang) -> Result<(), CliError> {
    if let Some(action) = args.action {
        return cluster(action, lang);
    }
    if !args.local {
        return Err(CliError::Input(
            pusdata_core::t!("cli-drill-say-where-pusdata-drill")
                .get(lang)
                .to_string(),
        ));
    }
    let workdir = args.workdir.unwrap_or_else(|| {
        std::path::PathBuf::from(format!(
            "pusdata-drill-{}",
            jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")
        ))
    });
    let exe =
        std::env::current_exe().map_err(|e| CliError::Internal(format!("own executable: {e}")))?;
    pusdata::agent::tls::install_crypto_provider();
    let outcome = run_local(&LocalDrillOptions {
        plan: args.plan,
        workdir: workdir.clone(),
        exe,
        bytes_per_service: args.mib_per_service.max(1) * 1024 * 1024,
        lang,
        progress: std::io::stderr().is_terminal(),
        resume: args.resume,
        s3_repo_base: match &args.s3_repo {
            Some(url) => Some((url.clone(), super::agent::s3_base(url)?)),
            None => None,
        },
        allow_findings: args.allow_findings,
    })
    .map_err(|e| match e {
        DrillError::Input(m) => CliError::Input(m),
        DrillError::Findings(m) => CliError::Check(m),
        DrillError::Failed(m) => CliError::Internal(m.get(lang).to_string()),
    })?;
    let denying: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == pusdata_core::finding::Severity::Deny)
        .collect();
    if !denying.is_empty() {
        println!(
            "{}",
            pusdata_core::t!(
                "cli-drill-drilled-plan-check-finding",
                denying_count = &denying.len()
            )
            .get(lang)
        );
        for f in denying {
            println!("  {}", f.line(lang));
        }
    }

    let status = outcome.failover.status.clone().unwrap_or_default();
    println!(
        "{}",
        pusdata_core::t!(
            "cli-drill-drill-plan",
            name = &outcome.failover.metadata.name.clone().unwrap_or_default(),
            plan = &outcome.failover.spec.plan
        )
        .get(lang)
    );
    let h = |id: &str| pusdata_core::i18n::tr(lang, id, &[]);
    let (h_tier, h_rpo, h_rto, h_met) = (
        h("cli-drill-column-tier"),
        h("cli-drill-column-rpo"),
        h("cli-drill-column-rto"),
        h("cli-drill-column-met"),
    );
    println!("  {h_tier:<18} {h_rpo:<24} {h_rto:<24} {h_met}");
    for t in &status.tiers {
        let fmt = |a: Option<u64>, target: u64| {
            format!(
                "{} / {}",
                a.map(|s| human(Duration::from_secs(s)))
                    .unwrap_or_else(|| "—".into()),
                human(Duration::from_secs(target))
            )
        };
        let met = h(if t.met == Some(true) {
            "cli-drill-met-yes"
        } else {
            "cli-drill-met-no"
        });
        println!(
            "  {:<18} {:<24} {:<24} {met}",
            t.tier,
            fmt(t.rpo_achieved_seconds, t.rpo_target_seconds),
            fmt(t.rto_achieved_seconds, t.rto_target_seconds)
        );
    }
    let failed: Vec<_> = status
        .steps
        .iter()
        .filter(|s| s.state == pusdata_crds::v1alpha1::StepState::Failed)
        .collect();
    for s in &failed {
        println!("  ✗ {}: {}", s.id, s.message.clone().unwrap_or_default());
    }
    println!(
        "{}",
        pusdata_core::t!(
            "cli-drill-steps-restores-verification-took",
            step_count = &status.steps.len(),
            work_seconds = &outcome.work_seconds,
            drill_seconds = &outcome.drill_seconds,
            report_html = &outcome.report_html.display()
        )
        .get(lang)
    );
    // The exact command for this drill's repositories (a glob in the README matched every
    // earlier drill's directory too).
    if let Some(cmd) = restic_command(&workdir, args.s3_repo.as_deref()) {
        println!(
            "{}",
            pusdata_core::t!("cli-drill-any-restic-reads-what", cmd = &cmd).get(lang)
        );
    }
    if outcome.succeeded() {
        Ok(())
    } else {
        Err(CliError::Check(
            pusdata_core::t!("cli-drill-drill-failed-see-report")
                .get(lang)
                .to_string(),
        ))
    }
}

/// `restic … snapshots` for the first agency (by name) of a drill's work directory, with
/// absolute paths so it works from anywhere; `None` when the drill wrote no key.
fn restic_command(workdir: &std::path::Path, s3_repo: Option<&str>) -> Option<String> {
    let workdir = std::path::absolute(workdir).ok()?;
    let keys = workdir.join("drc/keys");
    let mut agencies: Vec<String> = std::fs::read_dir(&keys)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".key"))
                .map(str::to_string)
        })
        .collect();
    agencies.sort();
    let agency = agencies.first()?;
    let quote = |s: String| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=+@,".contains(c))
        {
            s
        } else {
            format!("'{}'", s.replace('\'', r"'\''"))
        }
    };
    let repo = match s3_repo {
        // Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as for the drill.
        Some(base) => format!("{}/{agency}", base.trim_end_matches('/')),
        None => workdir.join("drc/repos").join(agency).display().to_string(),
    };
    let key = keys.join(format!("{agency}.key")).display().to_string();
    Some(format!(
        "restic -r {} --password-file {} snapshots",
        quote(repo),
        quote(key)
    ))
}
