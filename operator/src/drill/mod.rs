//! `pusdata drill --local`: a whole DR drill on one machine, with the same parts a real one
//! uses — the rustic_core mover writes restic-format repositories at the "DRC", a second
//! `pusdata agent` process plays the DRC site over real gRPC with mTLS, the pure step machine
//! of `pusdata_core::dr` decides every step, and the report is the one a real drill writes.
//!
//! Layout of the work directory:
//! ```text
//! primary/<namespace>/<service>/   sample agency data (renamed to primary.lost/ at the loss)
//! drc/repos/<agency>/              one restic repository per agency, each with its own key
//! drc/keys/<agency>.key            the agencies' repository keys (owner-only)
//! drc/agent/                       the DRC agent's fencing state and log
//! drc/restores/drill/<service>/    what the drill restored (removed at teardown)
//! pki/                             throwaway CA, server and client certificates
//! report.html, report.md, report.html.sha256, failover.yaml
//! ```

pub mod sample;
#[cfg(test)]
mod tests;

use crate::agent::client::{AgentClient, ClientConfig};
use crate::agent::process::{AgentProcess, AgentProcessConfig};
use crate::agent::tls::LocalPki;
use crate::agent::work::tree_checksum;
use crate::mover::{self, BackupRequest, RepoConfig};
use crate::report::{self, ReportInput};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_core::dr;
use pusdata_core::dr::steps::{
    self as machine, Action, Observations, StepAction, StepPlan, StepResult,
};
use pusdata_core::finding::{Finding, Severity};
use pusdata_core::i18n::{Lang, Text};
use pusdata_core::t;
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, Failover, FailoverPhase, FailoverSpec, FailoverStatus, FailoverType,
    RecordedIdentity, ReportRef, Scope,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to drill and where.
#[derive(Clone, Debug)]
pub struct LocalDrillOptions {
    /// The plan file; other YAML files in its directory (sites, repositories) are read too.
    pub plan: PathBuf,
    /// Work directory (created; must be empty or missing).
    pub workdir: PathBuf,
    /// The `pusdata` executable, started again as the DRC agent.
    pub exe: PathBuf,
    /// Sample data per service, in bytes.
    pub bytes_per_service: u64,
    /// Language of the console output.
    pub lang: Lang,
    /// Draw a progress bar.
    pub progress: bool,
    /// Go on with an interrupted drill in `workdir` instead of starting one: finished steps
    /// are kept, steps that were running are run again (they are idempotent).
    pub resume: bool,
    /// The DRC's repositories in S3 under this base (`<base>/<agency>`, credentials filled
    /// in) instead of `drc/repos/`; the DRC agent gets the same base.
    pub s3_repo_base: Option<(String, crate::mover::RepoLocation)>,
    /// Drill a plan that `plan check` refuses (its denying findings go into the report).
    pub allow_findings: bool,
}

/// What the drill found.
#[derive(Clone, Debug)]
pub struct LocalDrillOutcome {
    /// The execution with its recorded progress.
    pub failover: Failover,
    /// `report.html`.
    pub report_html: PathBuf,
    /// `report.md`.
    pub report_md: PathBuf,
    /// Plan-check findings.
    pub findings: Vec<Finding>,
    /// Seconds spent in restores and verifications (the bare work), for the overhead figure.
    pub work_seconds: f64,
    /// Seconds from the simulated loss to the last verification.
    pub drill_seconds: f64,
}

impl LocalDrillOutcome {
    /// Whether every step succeeded.
    pub fn succeeded(&self) -> bool {
        self.failover.status.as_ref().and_then(|s| s.phase) == Some(FailoverPhase::Succeeded)
    }
}

/// Why a local drill could not run.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// The plan or its directory could not be read.
    #[error("{0}")]
    Input(String),
    /// Something failed while drilling: why, in both languages (a system error is an
    /// argument); `Display` shows both, the CLI the reader's.
    #[error("{0}")]
    Failed(Text),
    /// The plan check refuses the plan and `--allow-findings` was not given.
    #[error("{0}")]
    Findings(String),
}

struct Loaded {
    plan: DisasterRecoveryPlan,
    /// `plan check`'s findings of this plan, with the object each concerns.
    findings: Vec<(String, Finding)>,
}

/// The plan of a plan file (reading its directory's other YAML files as [`run_local`] does).
pub fn load_plan(plan_path: &Path) -> Result<DisasterRecoveryPlan, DrillError> {
    load(plan_path).map(|l| l.plan)
}

/// The plan and its context, resolved as `pusdata plan check PLAN` resolves them
/// ([`crate::plans::resolve`]): what the drill refuses, plan check refuses too.
fn load(plan_path: &Path) -> Result<Loaded, DrillError> {
    let resolved = crate::plans::resolve(
        &[plan_path.to_path_buf()],
        crate::inputs::Options::default(),
    )
    .map_err(|e| DrillError::Input(e.to_string()))?;
    let mut plans = resolved.plans.iter();
    let plan = plans.next().cloned().ok_or_else(|| {
        DrillError::Input(format!(
            "{}: no DisasterRecoveryPlan found",
            plan_path.display()
        ))
    })?;
    if plans.next().is_some() {
        return Err(DrillError::Input(format!(
            "{}: more than one DisasterRecoveryPlan; give the one to drill",
            plan_path.display()
        )));
    }
    let findings = crate::plans::findings(&resolved, &plan);
    Ok(Loaded { plan, findings })
}

fn random_key() -> Result<String, DrillError> {
    let mut buf = [0u8; 24];
    let mut f = std::fs::File::open("/dev/urandom")
        .map_err(|e| DrillError::Failed(t!("drill-failed-random", error = e.to_string())))?;
    std::io::Read::read_exact(&mut f, &mut buf)
        .map_err(|e| DrillError::Failed(t!("drill-failed-random", error = e.to_string())))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn write_private(path: &Path, text: &str) -> Result<(), DrillError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        DrillError::Failed(t!(
            "drill-failed-file",
            path = path.display().to_string(),
            error = e.to_string()
        ))
    })?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| {
        DrillError::Failed(t!(
            "drill-failed-file",
            path = path.display().to_string(),
            error = e.to_string()
        ))
    })
}

/// One service as the drill handles it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Service {
    name: String,
    agency: String,
    tier: String,
    source: PathBuf,
    checksum: String,
    snapshot: Option<String>,
    backed_up_at: Option<Timestamp>,
}

/// What a resumed drill needs of the part before the loss (`drill-state.json`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct DrillState {
    name: String,
    loss: Timestamp,
    services: Vec<Service>,
}

/// Writes through a temporary file and a rename, so a crash leaves the old or the new
/// content, never half of one.
fn write_atomic(path: &Path, text: &str) -> Result<(), DrillError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-file",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        })
}

fn save_progress(
    w: &Path,
    name: &str,
    spec: &FailoverSpec,
    status: &FailoverStatus,
) -> Result<(), DrillError> {
    let mut fo = Failover::new(name, spec.clone());
    fo.status = Some(status.clone());
    let yaml = serde_saphyr::to_string(&fo)
        .map_err(|e| DrillError::Failed(t!("drill-failed-record", error = e.to_string())))?;
    write_atomic(&w.join("failover.yaml"), &yaml)
}

/// Stops the DRC agent a crashed drill left behind, after checking that the pid is a
/// `pusdata agent` of this very drill (pids are reused).
fn stop_stale_agent(agent_dir: &Path) {
    let Ok(pid) = std::fs::read_to_string(agent_dir.join("agent.pid")) else {
        return;
    };
    let pid = pid.trim();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline);
    if cmdline.contains("agent") && cmdline.contains(&*agent_dir.to_string_lossy()) {
        let _ = std::process::Command::new("kill")
            .args(["-9", pid])
            .status();
    }
}

fn say(lang: Lang, bar: &ProgressBar, text: Text) {
    bar.println(text.get(lang));
}

/// Steps 1, 2 and 4 of a new drill: sample data and keys, backups, the simulated loss.
fn prepare(
    opts: &LocalDrillOptions,
    plan: &DisasterRecoveryPlan,
    members: &[(
        &pusdata_crds::v1alpha1::Tier,
        &pusdata_crds::v1alpha1::Member,
    )],
    primary: &Path,
    drc: &Path,
    bar: &ProgressBar,
) -> Result<DrillState, DrillError> {
    // 1. Sample data at the primary, and each agency's own repository key.
    let mut services = Vec::new();
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    for (tier, m) in members {
        bar.set_message(format!("data {}", m.name));
        let source = primary.join(&m.namespace).join(&m.name);
        sample::generate(&source, &m.name, opts.bytes_per_service).map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-file",
                path = source.display().to_string(),
                error = e.to_string()
            ))
        })?;
        let (_, _, checksum) = tree_checksum(&source).map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-checksum",
                path = source.display().to_string(),
                error = e.to_string()
            ))
        })?;
        if !keys.contains_key(&m.agency) {
            let key = random_key()?;
            write_private(&drc.join("keys").join(format!("{}.key", m.agency)), &key)?;
            keys.insert(m.agency.clone(), key);
        }
        services.push(Service {
            name: m.name.clone(),
            agency: m.agency.clone(),
            tier: tier.name.clone(),
            source,
            checksum,
            snapshot: None,
            backed_up_at: None,
        });
        bar.inc(1);
    }

    // 2. Back up through the real mover into the DRC repositories.
    for s in &mut services {
        bar.set_message(format!("backup {}", s.name));
        let key = keys.get(&s.agency).cloned().unwrap_or_default();
        let base = opts
            .s3_repo_base
            .as_ref()
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| crate::mover::RepoLocation::Local(drc.join("repos")));
        let repo = RepoConfig::at(base.for_agency(&s.agency).map_err(DrillError::Input)?, key);
        let member = members
            .iter()
            .find(|(_, m)| m.name == s.name)
            .map(|(_, m)| *m);
        let namespace = member.map(|m| m.namespace.clone()).unwrap_or_default();
        let report = mover::backup(
            &repo,
            &BackupRequest {
                path: s.source.clone(),
                tags: vec![
                    format!("agency={}", s.agency),
                    format!("namespace={namespace}"),
                    format!("pvc={}", s.name),
                    format!("plan={}", plan.metadata.name.clone().unwrap_or_default()),
                    format!("tier={}", s.tier),
                ],
                host: None,
                as_path: Some(PathBuf::from(format!("/data/{}", s.name))),
                ..Default::default()
            },
        )
        .map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-backup",
                service = s.name.as_str(),
                error = e.to_string()
            ))
        })?;
        s.snapshot = Some(report.snapshot_id.clone());
        s.backed_up_at = Some(Timestamp::now());
        bar.inc(1);
    }

    // 4. The primary is lost. A drill restores alongside; here the primary's data is moved
    //    away so nothing can be read from it by mistake.
    let loss = Timestamp::now();
    let lost = opts.workdir.join("primary.lost");
    std::fs::rename(primary, &lost)
        .map_err(|e| DrillError::Failed(t!("drill-failed-loss", error = e.to_string())))?;
    say(
        opts.lang,
        bar,
        pusdata_core::t!("cli-drill-local-primary-lost"),
    );
    let state = DrillState {
        name: format!("drill-local-{}", loss.as_second()),
        loss,
        services,
    };
    let json = serde_json::to_string_pretty(&state)
        .map_err(|e| DrillError::Failed(t!("drill-failed-record", error = e.to_string())))?;
    write_atomic(&opts.workdir.join("drill-state.json"), &json)?;
    Ok(state)
}

/// Runs the drill. The caller prints the outcome; this returns errors only when the drill
/// could not run at all — a drill that ran and failed a step is an outcome.
pub fn run_local(opts: &LocalDrillOptions) -> Result<LocalDrillOutcome, DrillError> {
    let lang = opts.lang;
    let loaded = load(&opts.plan)?;
    let plan = &loaded.plan;
    let denying: Vec<&(String, Finding)> = loaded
        .findings
        .iter()
        .filter(|(_, f)| f.severity == Severity::Deny)
        .collect();
    // A plan that `plan check` refuses is not drilled unless the operator says so; then
    // its findings go into the report.
    if !denying.is_empty() && !opts.allow_findings && !opts.resume {
        let lines = |l: Lang| {
            denying
                .iter()
                .map(|(o, f)| format!("  {o}: {}", f.line(l)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        return Err(DrillError::Findings(
            pusdata_core::t!(
                "cli-drill-local-plan-refused",
                plan = opts.plan.display(),
                count = denying.len(),
                findings = &Text::new(lines(Lang::En), lines(Lang::Id))
            )
            .get(lang)
            .to_string(),
        ));
    }
    let findings: Vec<Finding> = loaded.findings.iter().map(|(_, f)| f.clone()).collect();

    let w = &opts.workdir;
    if opts.resume && !w.join("drill-state.json").is_file() {
        return Err(DrillError::Input(
            t!(
                "drill-input-nothing-to-resume",
                path = w.display().to_string()
            )
            .get(lang)
            .to_string(),
        ));
    }
    if !opts.resume
        && w.exists()
        && std::fs::read_dir(w)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(DrillError::Input(
            t!("drill-input-not-empty", path = w.display().to_string())
                .get(lang)
                .to_string(),
        ));
    }
    let (primary, drc) = (w.join("primary"), w.join("drc"));
    let dirs = [
        &primary,
        &drc.join("repos"),
        &drc.join("keys"),
        &drc.join("agent"),
        &drc.join("restores"),
    ];
    // A resumed drill's primary is already "lost"; recreating it would be a lie.
    for d in dirs.into_iter().skip(usize::from(opts.resume)) {
        std::fs::create_dir_all(d).map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-workdir",
                path = d.display().to_string(),
                error = e.to_string()
            ))
        })?;
    }

    let members = dr::members(&plan.spec);
    let bar = if opts.progress {
        ProgressBar::new((members.len() * 3 + 2) as u64)
    } else {
        ProgressBar::with_draw_target(
            Some((members.len() * 3 + 2) as u64),
            ProgressDrawTarget::hidden(),
        )
    };
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:32} {pos}/{len} {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    for f in findings.iter().filter(|f| f.severity == Severity::Deny) {
        say(
            lang,
            &bar,
            pusdata_core::t!(
                "cli-drill-local-plan-finding",
                finding = &Text::new(f.line(Lang::En), f.line(Lang::Id))
            ),
        );
    }

    let state = if opts.resume {
        let text = std::fs::read_to_string(w.join("drill-state.json"))
            .map_err(|e| DrillError::Input(format!("drill-state.json: {e}")))?;
        serde_json::from_str::<DrillState>(&text)
            .map_err(|e| DrillError::Input(format!("drill-state.json: {e}")))?
    } else {
        prepare(opts, plan, &members, &primary, &drc, &bar)?
    };
    let services = state.services.clone();

    // 3. The DRC site: a second process, over gRPC with mTLS.
    bar.set_message("starting the DRC agent");
    let pki = LocalPki::generate()
        .map_err(|e| DrillError::Failed(t!("drill-failed-pki", error = e.to_string())))?;
    let server_files = pki
        .server
        .write_files(&w.join("pki/drc"))
        .map_err(|e| DrillError::Failed(t!("drill-failed-pki", error = e.to_string())))?;
    let mut cfg = AgentProcessConfig::new(&opts.exe, drc.join("agent"), server_files);
    cfg.site = plan.spec.drc_site.clone();
    cfg.repo_root = Some(drc.join("repos"));
    cfg.restore_root = Some(drc.join("restores"));
    cfg.keys_dir = Some(drc.join("keys"));
    cfg.s3_repo_base = opts.s3_repo_base.as_ref().map(|(url, _)| url.clone());
    cfg.log = Some(drc.join("agent/agent.log"));
    stop_stale_agent(&drc.join("agent"));
    let agent = AgentProcess::spawn(&cfg)
        .map_err(|e| DrillError::Failed(t!("drill-failed-agent", error = e.to_string())))?;
    write_atomic(&drc.join("agent/agent.pid"), &agent.id().to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| DrillError::Failed(t!("drill-failed-runtime", error = e.to_string())))?;
    // The client's channel spawns its connection task on the current runtime.
    let _in_runtime = runtime.enter();
    let client = AgentClient::new(ClientConfig::new(
        agent.endpoint(),
        &pki.client,
        Some("localhost"),
    ))
    .map_err(|e| DrillError::Failed(t!("drill-failed-client", error = e.to_string())))?;
    let hb = runtime
        .block_on(client.heartbeat(&plan.spec.primary_site, 0))
        .map_err(|e| DrillError::Failed(t!("drill-failed-heartbeat", error = e.to_string())))?;
    let current_epoch = hb.epoch;
    bar.inc(1);

    let loss = state.loss;

    // 5. The step machine decides; this loop only executes.
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    let name = state.name.clone();
    let spec = FailoverSpec {
        plan: plan.metadata.name.clone().unwrap_or_default(),
        kind: FailoverType::Drill,
        scope: Scope::default(),
        reason: {
            let r = pusdata_core::t!("report-local-drill-reason");
            pusdata_crds::v1alpha1::LocalizedText::both(r.en, r.id)
        },
        accept_data_loss: false,
        requested_by: Some(RecordedIdentity {
            username: who.clone(),
            uid: None,
            groups: vec!["pusdata:local".into()],
            at: Time(loss),
        }),
    };
    let steps = machine::steps(plan, &spec).map_err(|t| DrillError::Input(t.en))?;
    let mut status = FailoverStatus {
        phase: Some(FailoverPhase::Running),
        started_at: Some(Time(loss)),
        epoch: Some(current_epoch),
        ..FailoverStatus::default()
    };
    let mut results: BTreeMap<String, StepResult> = BTreeMap::new();
    if opts.resume {
        if let Some(saved) = std::fs::read_to_string(w.join("failover.yaml"))
            .ok()
            .and_then(|t| serde_saphyr::from_str::<Failover>(&t).ok())
            .and_then(|f| f.status)
        {
            status = saved;
        }
        // A step recorded as running when the drill died has no worker any more: the step
        // machine runs it again (steps are idempotent); finished steps are never redone.
        for s in &status.steps {
            if s.state == pusdata_crds::v1alpha1::StepState::Running {
                results.insert(s.id.clone(), StepResult::Lost);
            }
        }
    }
    let started = Instant::now();
    let mut work_seconds = 0.0;
    let mut approvals: BTreeMap<String, RecordedIdentity> = BTreeMap::new();
    let by_name: BTreeMap<String, Service> = services
        .iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    bar.set_length((members.len() * 2 + 2 + steps.steps.len()) as u64);
    for _ in 0..10_000 {
        let obs = Observations {
            now: Timestamp::now(),
            peer_reachable: true,
            current_epoch,
            results: results.clone(),
            approvals: approvals.clone(),
        };
        let action = machine::next_step(&steps, &status, &obs);
        machine::apply(&steps, &mut status, &action, Timestamp::now());
        save_progress(w, &name, &spec, &status)?;
        match &action {
            Action::Record(updates) => {
                for u in updates {
                    results.remove(&u.id);
                    bar.inc(1);
                }
            }
            Action::Start { steps: ids, epoch } => {
                let t0 = Instant::now();
                let outcomes =
                    runtime.block_on(run_steps(&steps, ids, *epoch, &client, &by_name, &drc));
                work_seconds += t0.elapsed().as_secs_f64();
                for (id, r) in outcomes {
                    bar.set_message(id.clone());
                    results.insert(id, r);
                }
            }
            Action::Retry { step, epoch, .. } => {
                let outcomes = runtime.block_on(run_steps(
                    &steps,
                    std::slice::from_ref(step),
                    *epoch,
                    &client,
                    &by_name,
                    &drc,
                ));
                results.extend(outcomes);
            }
            Action::Wait { steps: waiting, .. } => {
                // No person is at the keyboard of a local drill: sign-offs are given, and
                // recorded as automatic so the report cannot be mistaken for a real one.
                for id in waiting {
                    approvals.insert(
                        id.clone(),
                        RecordedIdentity {
                            username: format!("{who} (automatic sign-off, pusdata drill --local)"),
                            uid: None,
                            groups: vec!["pusdata:local".into()],
                            at: Time(Timestamp::now()),
                        },
                    );
                }
            }
            Action::Observe { .. } => std::thread::sleep(Duration::from_millis(20)),
            Action::Fail { .. } | Action::Done => break,
        }
    }
    let drill_seconds = started.elapsed().as_secs_f64();
    let _ = agent.kill();

    // 6. Figures and the report.
    let rpo: BTreeMap<String, Duration> = plan
        .spec
        .tiers
        .iter()
        .map(|t| {
            let oldest = services
                .iter()
                .filter(|s| s.tier == t.name)
                .filter_map(|s| s.backed_up_at)
                .min()
                .unwrap_or(loss);
            let secs = (loss - oldest).get_seconds().max(0);
            (
                t.name.clone(),
                Duration::from_secs(u64::try_from(secs).unwrap_or(0)),
            )
        })
        .collect();
    status.tiers = dr::achieved::tier_outcomes(plan, &status, &rpo);
    status.finished_at = Some(Time(Timestamp::now()));
    let mut failover = Failover::new(&name, spec);
    let report_html = w.join("report.html");
    let report_md = w.join("report.md");
    status.report = Some(ReportRef {
        config_map: None,
        url: Some(report_html.display().to_string()),
        sha256: None,
    });
    failover.status = Some(status);
    let rendered = report::render(&ReportInput {
        plan,
        failover: &failover,
        findings: &findings,
        generated_at: Timestamp::now(),
    });
    if let Some(s) = failover.status.as_mut().and_then(|s| s.report.as_mut()) {
        s.sha256 = Some(rendered.html_sha256.clone());
    }
    let write = |p: &Path, t: &str| {
        std::fs::write(p, t).map_err(|e| {
            DrillError::Failed(t!(
                "drill-failed-file",
                path = p.display().to_string(),
                error = e.to_string()
            ))
        })
    };
    write(&report_html, &rendered.html)?;
    write(&report_md, &rendered.markdown)?;
    write(
        &w.join("report.html.sha256"),
        &format!("{}  report.html\n", rendered.html_sha256),
    )?;
    let yaml = serde_saphyr::to_string(&failover)
        .map_err(|e| DrillError::Failed(t!("drill-failed-record", error = e.to_string())))?;
    // The progress file too: a crash while writing the final record must leave the last
    // saved progress (which `--resume` reads), never a truncated file.
    write_atomic(&w.join("failover.yaml"), &yaml)?;
    bar.finish_and_clear();
    Ok(LocalDrillOutcome {
        failover,
        report_html,
        report_md,
        findings,
        work_seconds,
        drill_seconds,
    })
}

/// Runs the started steps, in parallel where the machine started several.
async fn run_steps(
    plan: &StepPlan,
    ids: &[String],
    epoch: u64,
    client: &AgentClient,
    services: &BTreeMap<String, Service>,
    drc: &Path,
) -> Vec<(String, StepResult)> {
    let futures = ids.iter().map(|id| async move {
        let Some(step) = plan.steps.iter().find(|s| &s.id == id) else {
            return (
                id.clone(),
                StepResult::Failed(t!("shell-drill-unknown-step")),
            );
        };
        let svc = step.service.as_ref().and_then(|s| services.get(s));
        let request_id = format!("{id}@{epoch}");
        let result = match (&step.action, svc) {
            (StepAction::Restore, Some(s)) => {
                let snapshot = format!("{}/{}", s.agency, s.snapshot.clone().unwrap_or_default());
                // The verify step compares with the primary's checksum, which the drill
                // holds: the restore need not read the tree to report one.
                let request = crate::agent::proto::RestoreRequest {
                    request_id: request_id.clone(),
                    epoch,
                    snapshot,
                    target: format!("drill/{}", s.name),
                    placement: None,
                    skip_checksum: true,
                };
                match client.restore_request(request).await {
                    Ok(r) => match (r.fence.as_ref().map(|f| f.verdict), r.report) {
                        (_, Some(rep)) => StepResult::Succeeded(t!(
                            "shell-drill-restored",
                            files = rep.files,
                            bytes = rep.bytes
                        )),
                        (_, None) => StepResult::Failed(t!(
                            "shell-drill-refused",
                            reason = r
                                .fence
                                .as_ref()
                                .map(crate::agent::wire::fence_reason)
                                .unwrap_or_default()
                        )),
                    },
                    Err(e) => agent_failed(&e),
                }
            }
            (StepAction::Verify, Some(s)) => {
                match client
                    .verify(
                        &request_id,
                        epoch,
                        &format!("drill/{}", s.name),
                        &s.checksum,
                    )
                    .await
                {
                    Ok(r) => match r.report {
                        Some(rep) if rep.matches => {
                            // The local DRC has no workloads: readiness and the smoke
                            // command come back skipped, and say so.
                            let (note, failed) = pusdata_core::dr::drc::checks_note(
                                crate::agent::wire::check(rep.readiness.as_ref()).as_ref(),
                                crate::agent::wire::check(rep.smoke.as_ref()).as_ref(),
                            );
                            let sums = t!(
                                "shell-drill-verified",
                                files = rep.files,
                                checksum = &rep.checksum[..12.min(rep.checksum.len())]
                            );
                            let msg = Text {
                                en: sums.en + &note.en,
                                id: sums.id + &note.id,
                            };
                            if failed {
                                StepResult::Failed(msg)
                            } else {
                                StepResult::Succeeded(msg)
                            }
                        }
                        Some(rep) if !rep.mismatches.is_empty() => StepResult::Failed(t!(
                            "shell-drill-tree-differs",
                            mismatches = rep.mismatches.join("; ")
                        )),
                        Some(rep) => StepResult::Failed(t!(
                            "shell-drill-checksum-differs",
                            checksum = rep.checksum.as_str(),
                            expected = s.checksum.as_str()
                        )),
                        None => StepResult::Failed(t!("shell-drill-refused-plain")),
                    },
                    Err(e) => agent_failed(&e),
                }
            }
            (StepAction::Teardown, _) => {
                match std::fs::remove_dir_all(drc.join("restores/drill")) {
                    Ok(()) => StepResult::Succeeded(t!("shell-drill-teardown-done")),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        StepResult::Succeeded(t!("shell-drill-nothing-to-remove"))
                    }
                    Err(e) => {
                        StepResult::Failed(t!("shell-drill-teardown-failed", error = e.to_string()))
                    }
                }
            }
            (StepAction::MeasureRto, _) => StepResult::Succeeded(t!("shell-drill-rto")),
            (StepAction::Runbook { .. }, _) => StepResult::Succeeded(t!("shell-drill-runbook")),
            (other, _) => {
                StepResult::Failed(t!("shell-drill-not-a-step", action = format!("{other:?}")))
            }
        };
        (id.clone(), result)
    });
    futures::future::join_all(futures).await
}

/// A call to the DRC agent failed (gRPC): the error is the argument of a catalogue message.
fn agent_failed(error: &dyn std::fmt::Display) -> StepResult {
    StepResult::Failed(t!("shell-drill-agent-failed", error = error.to_string()))
}
