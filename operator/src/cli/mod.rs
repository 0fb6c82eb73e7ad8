//! The `pusdata` command line: one binary for the operator, the webhook, the DRC agent, the
//! backup mover and the offline tools.

pub mod agent;
pub mod bench_drill;
pub mod bench_mirror;
pub mod bench_mover;
pub mod bench_operator;
pub mod bench_placement;
pub mod bench_webhook;
pub mod bench_world;
pub mod chart;
pub mod crd;
pub mod drill;
pub mod drill_cluster;
pub mod inputs;
pub mod mirror;
pub mod mover;
pub mod place;
pub mod plan;
pub mod plugin;
pub mod policy;
pub mod probe;
pub mod report;
pub mod webhook;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Pusdata — hosting placement, in-country cloud rules and DRP-driven disaster recovery for
/// a city data centre.
///
/// Offline commands (`policy check`, `place`, `plan check`, `drill --local`, `crd`) need no
/// cluster. Messages come in English or Bahasa Indonesia (`--lang`, or from `LANG`).
#[derive(Debug, Parser)]
#[command(
    name = "pusdata",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Language of messages: `en` or `id`. Defaults to `id` when LANG starts with `id`.
    #[arg(long, global = true, env = "PUSDATA_LANG", value_name = "en|id")]
    pub lang: Option<String>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Pretty, env = "PUSDATA_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the controllers in a cluster (primary or DRC role).
    Operator(OperatorArgs),
    /// Serve the validating admission webhook over HTTPS.
    Webhook(WebhookArgs),
    /// Serve the site-to-site gRPC API (heartbeat, restore, verify, promote, demote).
    Agent(AgentArgs),
    /// Back up, restore, check, forget or unlock a restic-format repository (runs in a Job).
    #[command(subcommand)]
    Mover(MoverCommand),
    /// Mirror one S3 bucket onto another (primary → DRC, or back for failback).
    Mirror(mirror::MirrorArgs),
    /// Check manifests against the in-country and hosting rules, offline.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Place colocation requests into racks, offline, and draw rack elevations.
    Place(PlaceArgs),
    /// Check a Disaster Recovery Plan, offline.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Run or steer a DR drill; `--local` runs a whole drill on this machine.
    Drill(DrillArgs),
    /// Write a report; `report compliance` shows every rule with its status (AUDIT).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print the CRDs generated from the Rust types, or write / check the committed copies.
    Crd(CrdArgs),
    /// Write or check the chart's generated RBAC and the rendered manifests in deploy/.
    Chart(ChartArgs),
    /// Measure an engine on synthetic, seeded data (not a test: prints figures).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print version and build information.
    Version,
    /// GET each URL and fail unless every answer is 2xx (the chart's `helm test`).
    Probe(ProbeArgs),
}

/// Arguments of `pusdata probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// PEM CA certificate(s) that https:// servers' certificates must chain to.
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Longest wait for each answer.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout_seconds: u64,
    /// http:// or https:// URLs.
    #[arg(required = true)]
    pub urls: Vec<String>,
}

/// Arguments of `pusdata operator`.
#[derive(Debug, Args)]
pub struct OperatorArgs {
    /// Which site this operator runs at.
    #[arg(long, value_enum, default_value_t = Role::Primary, env = "PUSDATA_ROLE")]
    pub role: Role,
    /// Namespace of the platform team: approvals and secrets live there.
    #[arg(
        long,
        default_value = "pusdata-system",
        env = "PUSDATA_PLATFORM_NAMESPACE"
    )]
    pub platform_namespace: String,
    /// Serve probes (`/healthz`, `/readyz`), `/metrics`, rack elevations (`/racks`) and the
    /// compliance report (`/report/compliance`) on this address; off when unset.
    #[arg(long, env = "PUSDATA_VIEWS_LISTEN")]
    pub views_listen: Option<std::net::SocketAddr>,
    /// Image of the mover, mirror, verify, retention and restore Jobs: the operator's own
    /// image, which holds `pusdata mover` (the chart passes its `image` value). Default: this
    /// build's version, never a moving tag.
    #[arg(
        long,
        env = "PUSDATA_MOVER_IMAGE",
        default_value = pusdata_core::backup::job::DEFAULT_IMAGE
    )]
    pub mover_image: String,
    /// The operator's own namespace: the Lease and the webhook certificate Secret live there.
    #[arg(long, default_value = "pusdata-system", env = "POD_NAMESPACE")]
    pub namespace: String,
    /// This replica's name in the Lease (the pod name); defaults to the host name.
    #[arg(long, env = "POD_NAME")]
    pub identity: Option<String>,
    /// Elect a leader through this coordination.k8s.io Lease: only the leader runs the
    /// controllers. Unset: no election (run one replica only).
    #[arg(long, env = "PUSDATA_LEASE_NAME")]
    pub lease_name: Option<String>,
    /// Lease term; the leader stops after two thirds of it without a renewal.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u32).range(3..=3600))]
    pub lease_duration_seconds: u32,
    /// Who issues the webhook's serving certificate.
    #[arg(long, value_enum, default_value_t = WebhookCerts::None)]
    pub webhook_certs: WebhookCerts,
    /// The webhook Service (the certificate's DNS names).
    #[arg(long, default_value = "pusdata-webhook")]
    pub webhook_service: String,
    /// The Secret the webhook certificate is written to.
    #[arg(long, default_value = "pusdata-webhook-tls")]
    pub webhook_secret: String,
    /// Lifetime of issued webhook certificates, in days (renewed two thirds through).
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub webhook_cert_days: u32,
}

/// `--webhook-certs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WebhookCerts {
    /// The operator issues, rotates and injects them.
    Operator,
    /// cert-manager does; the operator leaves Secret and bundle alone.
    CertManager,
    /// Nobody (development: the webhook runs with its own files).
    None,
}

/// The role of a site's operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// The city Data Centre: placement, policy, backups.
    Primary,
    /// The DRC: serves the gRPC API and restores.
    Drc,
}

/// Arguments of `pusdata webhook`.
#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: String,
    /// PEM certificate file. Re-read when it changes (certificate rotation needs no restart).
    #[arg(long)]
    pub cert: Option<PathBuf>,
    /// PEM private key file. Re-read with the certificate.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Manifests (files or directories) giving the rules' context: the ResidencyPolicy,
    /// Sites, Racks, Agencies, Approvals, plans. Read once at start (offline use, tests).
    #[arg(long, value_name = "PATH", conflicts_with = "from_cluster")]
    pub context: Vec<PathBuf>,
    /// Take the rules' context from the cluster instead: watched, rebuilt on every change,
    /// never fetched per request.
    #[arg(long)]
    pub from_cluster: bool,
    /// Override the policy's enforcement mode.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
}

/// `--mode` of the webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Deny objects with a denying finding.
    Enforce,
    /// Admit everything; findings become warnings.
    Monitor,
}

/// Arguments of `pusdata agent`.
///
/// mTLS is required: there is no plaintext mode, and clients must present a certificate
/// issued by `--client-ca`. The files are the keys of the Site's `agentTlsSecret`.
#[derive(Debug, Args)]
pub struct AgentArgs {
    /// Address to listen on; port 0 picks a free port. The bound address is printed on
    /// stdout as `listening on HOST:PORT` once requests can be served.
    #[arg(long, default_value = "0.0.0.0:9443")]
    pub listen: String,
    /// This site's name (its `Site` object), returned in heartbeat answers.
    #[arg(long, default_value = "drc", env = "PUSDATA_SITE")]
    pub site: String,
    /// Directory of the persisted fencing state (epoch, active flag, answered requests).
    /// Put it on a persistent volume: losing it forgets the epoch.
    #[arg(long, env = "PUSDATA_AGENT_STATE_DIR")]
    pub state_dir: PathBuf,
    /// PEM certificate chain of this agent (`tls.crt`).
    #[arg(long, env = "PUSDATA_AGENT_TLS_CERT")]
    pub tls_cert: PathBuf,
    /// PEM private key of this agent (`tls.key`).
    #[arg(long, env = "PUSDATA_AGENT_TLS_KEY")]
    pub tls_key: PathBuf,
    /// PEM CA certificate that client certificates must chain to (`ca.crt`).
    #[arg(long, env = "PUSDATA_AGENT_CLIENT_CA")]
    pub client_ca: PathBuf,
    /// Where the agencies' repositories are: one restic repository per agency (with
    /// `--keys-dir`), or snapshot directories for the directory-copy stand-in (default:
    /// STATE_DIR/repo).
    #[arg(long)]
    pub repo_root: Option<PathBuf>,
    /// Where restores go (default: STATE_DIR/restores).
    #[arg(long)]
    pub restore_root: Option<PathBuf>,
    /// Directory of `<agency>.key` repository keys: restores then read restic-format
    /// repositories with the rustic_core mover. Without it, the directory-copy stand-in.
    #[arg(long, env = "PUSDATA_AGENT_KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,
    /// With `--keys-dir`: the agencies' repositories are `<this>/<agency>` in S3
    /// (`s3:https://host:port/bucket/prefix`, path-style; credentials from AWS_ACCESS_KEY_ID
    /// and AWS_SECRET_ACCESS_KEY, region from PUSDATA_S3_REGION, default `garage`).
    #[arg(long, requires = "keys_dir")]
    pub s3_repo_base: Option<String>,
    /// Where restores go: `local` (a directory under the restore root; `drill --local` and
    /// tests) or `kubernetes` (the DRC's cluster: `Restore` objects in isolated drill
    /// namespaces or the member namespaces, readiness, smoke Jobs; in-cluster credentials).
    #[arg(long, value_enum, default_value = "local", env = "PUSDATA_AGENT_WORK")]
    pub work: AgentWorkKind,
    /// With `--work kubernetes`: image of smoke commands whose member names none.
    #[arg(
        long,
        default_value = "busybox:1.36",
        env = "PUSDATA_AGENT_SMOKE_IMAGE"
    )]
    pub smoke_image: String,
    /// With `--work kubernetes`: the `BackupRepository` at the DRC that restores read,
    /// instead of the one named in the request (the primary's); `{agency}` is replaced by
    /// the agency, e.g. `{agency}-drc`.
    #[arg(long, env = "PUSDATA_AGENT_RESTORE_REPOSITORY")]
    pub restore_repository: Option<String>,
    /// With `--work kubernetes`: storage class of restored PVCs (cluster default if unset).
    #[arg(long, env = "PUSDATA_AGENT_STORAGE_CLASS")]
    pub storage_class: Option<String>,
}

/// Where the agent's restores go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AgentWorkKind {
    /// A directory under the restore root.
    Local,
    /// The DRC's Kubernetes cluster.
    Kubernetes,
}

/// `pusdata mover …`.
#[derive(Debug, Subcommand)]
pub enum MoverCommand {
    /// Snapshot a directory into a repository (creates the repository on first use).
    Backup(mover::BackupArgs),
    /// Restore a snapshot into an empty directory.
    Restore(mover::RestoreArgs),
    /// Restore a snapshot into scratch space and compare every file with the snapshot.
    Verify(mover::VerifyArgs),
    /// Check a repository's integrity.
    Check(mover::CheckArgs),
    /// Apply retention (keep-* and the verified floor), then optionally prune.
    Forget(mover::ForgetArgs),
    /// Remove stale locks left by dead restic-compatible processes.
    Unlock(mover::UnlockArgs),
    /// List snapshots.
    Snapshots(mover::SnapshotsArgs),
}

/// `pusdata policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate manifests (files, directories, or `-` for stdin) with the admission engine.
    Check(PolicyCheckArgs),
}

/// Arguments of `pusdata policy check`.
#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// Files or directories of YAML manifests; `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format (`--format` is accepted too, as `report compliance` spells it).
    #[arg(long, alias = "format", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Evaluate as of this instant (RFC 3339) instead of the clock, for reproducible runs.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Skip documents that cannot be classified (empty files, unknown Pusdata versions or
    /// kinds) instead of failing with exit 2; they are counted on stderr.
    #[arg(long)]
    pub skip_unknown: bool,
}

/// Output formats of the offline checkers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Lines for people.
    Text,
    /// JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning tools in CI.
    Sarif,
}

/// Arguments of `pusdata place`.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// Sites and Racks (and placed requests): files, directories or kubectl `List`s;
    /// repeat the flag or give several paths for an inventory split over files.
    #[arg(long, required = true, num_args = 1..)]
    pub inventory: Vec<PathBuf>,
    /// The HostingRequests to place (and Approvals pinning them): files, directories or
    /// `List`s.
    #[arg(long, required = true, num_args = 1..)]
    pub requests: Vec<PathBuf>,
    /// Skip documents that cannot be classified (empty files, unknown Pusdata versions or
    /// kinds) instead of failing with exit 2; they are counted on stderr.
    #[arg(long)]
    pub skip_unknown: bool,
    /// Directory for the rack elevation SVGs.
    #[arg(long)]
    pub svg_dir: Option<PathBuf>,
    /// Show, for every request, why each rack refused it (not only when nothing fits).
    #[arg(long)]
    pub explain: bool,
    /// Decide and print, write nothing to a cluster. `place` is offline, so this is what it
    /// always does; the flag lets `kubectl pusdata place --dry-run` say so explicitly.
    #[arg(long)]
    pub dry_run: bool,
}

/// `pusdata bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Place synthetic requests into synthetic racks; report time and racks used against a
    /// lower bound.
    Placement(BenchPlacementArgs),
    /// Start the webhook on loopback (self-signed certificate) and send AdmissionReviews at
    /// a fixed rate over HTTPS; report latency percentiles and throughput.
    Webhook(BenchWebhookArgs),
    /// The mover against the restic CLI: backup, 1 % change, second backup, restore.
    Mover(bench_mover::BenchMoverArgs),
    /// The bucket mirror against `rclone sync` on the same objects: full, then incremental.
    Mirror(bench_mirror::BenchMirrorArgs),
    /// A local drill against the bare restores it contains: the orchestration's overhead.
    Drill(BenchDrillArgs),
    /// The operator against a city-sized world served by a separate process: RSS, requests
    /// per minute at idle, and a restart (needs a build with `--features bench-world`).
    Operator(BenchOperatorArgs),
    /// The world `bench operator` starts: the in-memory API over HTTP on loopback.
    #[command(name = "operator-world", hide = true)]
    OperatorWorld(BenchWorldArgs),
}

/// Arguments of `pusdata bench operator`.
#[derive(Debug, Args)]
pub struct BenchOperatorArgs {
    /// Pusdata objects in the world (Agencies, BackupRepositories, Racks, HostingRequests).
    #[arg(long, default_value_t = 10_000)]
    pub objects: usize,
    /// Agencies, each with its namespace.
    #[arg(long, default_value_t = 1_000)]
    pub agencies: usize,
    /// How long the settled operator is watched for its idle traffic.
    #[arg(long, default_value_t = 60)]
    pub idle_seconds: u64,
    /// Settled: no write for this long.
    #[arg(long, default_value_t = 15)]
    pub quiet_seconds: u64,
    /// Give up settling after this long.
    #[arg(long, default_value_t = 900)]
    pub timeout_seconds: u64,
    /// Measure `pusdata webhook --from-cluster` against the world instead of the operator:
    /// its RSS once its context is built, after `--idle-seconds`, and after a burst of
    /// `--churn` changes (each one a context rebuild).
    #[arg(long)]
    pub webhook: bool,
    /// With `--webhook`: Racks changed one after the other in the burst.
    #[arg(long, default_value_t = 1_000)]
    pub churn: usize,
    /// The `pusdata` binary whose operator (with `--webhook`, whose webhook) is measured
    /// (default: this one). The world needs a build with `--features bench-world`; the
    /// image's binary is built without it, so pass that one here to measure the operator
    /// that ships.
    #[arg(long, value_name = "PATH")]
    pub operator_binary: Option<std::path::PathBuf>,
}

/// Arguments of `pusdata bench operator-world`.
#[derive(Debug, Args)]
pub struct BenchWorldArgs {
    /// Pusdata objects to seed.
    #[arg(long, default_value_t = 10_000)]
    pub objects: usize,
    /// Agencies (and their namespaces) to seed.
    #[arg(long, default_value_t = 1_000)]
    pub agencies: usize,
}

/// Arguments of `pusdata bench drill`.
#[derive(Debug, Args)]
pub struct BenchDrillArgs {
    /// The plan to drill.
    #[arg(long, default_value = "dr-plans/bekasi.yaml")]
    pub plan: PathBuf,
    /// Sample data per service, in MiB.
    #[arg(long, default_value_t = 32)]
    pub mib_per_service: u64,
    /// Keep the data here instead of a temporary directory that is removed afterwards.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
}

/// Arguments of `pusdata bench placement`.
#[derive(Debug, Args)]
pub struct BenchPlacementArgs {
    /// Racks in the synthetic data centre.
    #[arg(long, default_value_t = 1000)]
    pub racks: usize,
    /// Requests to place.
    #[arg(long, default_value_t = 10000)]
    pub requests: usize,
    /// Seed of the generator; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `pusdata plan …`.
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Check a DRP file: dependencies, coverage, schedules against RPO, RTO feasibility,
    /// DR-FAR and DR-NKRI.
    Check(PlanCheckArgs),
}

/// Arguments of `pusdata plan check`.
#[derive(Debug, Args)]
pub struct PlanCheckArgs {
    /// The plan, with the Sites and BackupRepositories it names (YAML files or directories).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format (`--format` is accepted too, as `report compliance` spells it).
    #[arg(long, alias = "format", value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    /// Skip documents that cannot be classified (empty files, unknown Pusdata versions or
    /// kinds) instead of failing with exit 2; they are counted on stderr.
    #[arg(long)]
    pub skip_unknown: bool,
}

/// Output formats of `pusdata plan check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanOutput {
    /// Numbered lines for people.
    Text,
    /// JSON, with both languages of every message.
    Json,
}

/// Arguments of `pusdata drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Against a cluster: start a Failover, show it, or sign off a step.
    #[command(subcommand)]
    pub action: Option<DrillAction>,
    /// Run a whole drill on this machine: sample data, backup, simulated loss, restore,
    /// verification and report, with a local DRC process over gRPC.
    #[arg(long)]
    pub local: bool,
    /// The plan to drill. Other YAML files in its directory (sites, repositories) are read
    /// too.
    #[arg(long, default_value = "dr-plans/bekasi.yaml")]
    pub plan: PathBuf,
    /// Where to put the drill's data and report; a new `pusdata-drill-<time>` directory by
    /// default. Must be empty or missing.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Sample data per service, in MiB.
    #[arg(long, default_value_t = 4)]
    pub mib_per_service: u64,
    /// Go on with an interrupted drill in `--workdir` (after a crash or `kill -9`): finished
    /// steps are kept, running ones are run again.
    #[arg(long, requires = "workdir")]
    pub resume: bool,
    /// Keep the DRC's repositories in S3 under `s3:http(s)://host:port/bucket/prefix`
    /// (one `<prefix>/<agency>` repository each) instead of the work directory. Credentials
    /// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; region from PUSDATA_S3_REGION
    /// (default `garage`).
    #[arg(long)]
    pub s3_repo: Option<String>,
    /// Drill a plan that `pusdata plan check` refuses; its denying findings are printed and
    /// written into the report. Without it such a plan is refused (exit 1).
    #[arg(long)]
    pub allow_findings: bool,
}

/// `pusdata drill` against a cluster (kubeconfig or in-cluster credentials).
#[derive(Debug, Subcommand)]
pub enum DrillAction {
    /// Create a Failover of a plan; the Failover controller runs it.
    Start {
        /// The DisasterRecoveryPlan.
        #[arg(long)]
        plan: String,
        /// Drill, Failover or Failback.
        #[arg(long = "type", value_enum, default_value = "drill")]
        kind: DrillKind,
        /// Why (goes into the written report, SEC-INCIDENT).
        #[arg(long)]
        reason: String,
        /// Only these tiers (repeatable); the whole plan when none.
        #[arg(long = "tier")]
        tiers: Vec<String>,
        /// Only these services (repeatable), with what they depend on.
        #[arg(long = "service")]
        services: Vec<String>,
        /// Go on without the final sync when the site being left is unreachable.
        #[arg(long)]
        accept_data_loss: bool,
    },
    /// Show the steps of a Failover.
    Status {
        /// The Failover.
        name: String,
    },
    /// Sign off a manual or approval step that waits for a person; records who and when.
    Approve {
        /// The step id (see `pusdata drill status`).
        step: String,
        /// The Failover.
        #[arg(long)]
        failover: String,
        /// Act as this user (impersonation: the API server checks you may); otherwise the
        /// identity the API server sees.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

/// Kind of execution.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DrillKind {
    /// Restore into isolated namespaces, verify, measure, tear down.
    Drill,
    /// Fence the primary, final sync, restore at the DRC, switch traffic.
    Failover,
    /// The reverse.
    Failback,
}

/// `pusdata report …`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every rule of the regulations with its article, what is checked, findings,
    /// exceptions with expiry and the last drill per plan (AUDIT, Perda 43-45). Offline over
    /// manifests; `--lang both` (the default here) writes English and Bahasa Indonesia.
    Compliance(report::ComplianceArgs),
    /// One drill, failover or failback as a report a DR coordinator acts on: objectives
    /// against targets, timeline with the critical path, fencing, data loss and sign-offs.
    Drill(report::DrillArgs),
    /// History across the drills under a directory: RPO/RTO per tier over time and the
    /// drills missed against the DRP's calendar.
    Drills(report::DrillsArgs),
}

/// Arguments of `pusdata crd`.
#[derive(Debug, Args)]
pub struct CrdArgs {
    /// Write the files into `crds/yaml/` and `charts/pusdata-crds/templates/` under ROOT.
    #[arg(long, value_name = "ROOT", num_args = 0..=1, default_missing_value = ".")]
    pub write: Option<PathBuf>,
    /// Exit non-zero if the committed files under ROOT differ from the types.
    #[arg(long, value_name = "ROOT", num_args = 0..=1, default_missing_value = ".", conflicts_with = "write")]
    pub check: Option<PathBuf>,
}

/// Arguments of `pusdata chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Write `charts/pusdata/templates/{clusterrole,role}-operator.yaml` and
    /// `deploy/{primary,drc}/pusdata.yaml` under ROOT.
    #[arg(long, value_name = "ROOT", num_args = 0..=1, default_missing_value = ".")]
    pub write: Option<PathBuf>,
    /// Exit non-zero if the committed files under ROOT differ from the code and the chart.
    #[arg(long, value_name = "ROOT", num_args = 0..=1, default_missing_value = ".", conflicts_with = "write")]
    pub check: Option<PathBuf>,
}

/// Arguments of `pusdata bench webhook`.
#[derive(Debug, Args)]
pub struct BenchWebhookArgs {
    /// Requests per second to offer.
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u32,
    /// Keep-alive HTTPS connections to spread the load over.
    #[arg(long, default_value_t = 16)]
    pub connections: u32,
}

/// Arguments of `pusdata completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
