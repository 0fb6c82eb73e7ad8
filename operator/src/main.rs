//! The `pusdata` binary.

// Shadow std's `println!`/`print!` for the whole binary: stdout goes through `out`, which a
// closed pipe (`| head -1`) ends quietly instead of with a panic.
macro_rules! println {
    () => {
        $crate::out::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), true)
    };
}
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), false)
    };
}

mod allocator;
mod chart;
mod cli;
mod controllers;
mod error;
mod out;
mod telemetry;
// The same test models as the library's (compiled once per crate under test).
#[cfg(test)]
#[allow(dead_code)] // shared with the library's tests; each crate uses a part
#[path = "testkit/mod.rs"]
mod testkit;
mod webhook;

use clap::CommandFactory;
use cli::{BenchCommand, Cli, Command, PlanCommand, PolicyCommand, ReportCommand};
use error::CliError;
use pusdata_core::i18n::Lang;
use std::process::ExitCode;

fn main() -> ExitCode {
    allocator::tune();
    // Before anything builds a TLS config: with ring and aws-lc-rs both linked, rustls
    // refuses to pick a provider by itself.
    pusdata::agent::tls::install_crypto_provider();
    // Also answers as the kubectl plugin `kubectl-pusdata` (see cli::plugin).
    let cli = cli::plugin::parse(std::env::args_os().collect());
    // The drill prints its own progress and summary; its parts' info lines would bury them.
    let quiet = matches!(cli.command, Command::Drill(_));
    telemetry::init(cli.log_format, if quiet { "warn" } else { "info" });
    let lang = language(cli.lang.as_deref());
    match run(cli.command, cli.lang.as_deref(), lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!(category = e.category(), "command failed");
            eprintln!("pusdata: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The operator's runtime: at most four worker threads (unless `TOKIO_WORKER_THREADS` says
/// otherwise). Its work waits on the API server; tokio's default of one worker per core
/// costs memory on a large node for nothing (debug bench, 1 000 objects / 100 agencies:
/// 101.1 MiB settled with 2 workers, 112.3 MiB with 16).
fn operator_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        builder.worker_threads(cores.clamp(1, 4));
    }
    builder.build()
}

/// `--lang` wins; otherwise the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
fn language(flag: Option<&str>) -> Lang {
    if let Some(l) = flag.and_then(Lang::parse) {
        return l;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map(|s| Lang::from_locale(&s))
        .unwrap_or_default()
}

/// kube and rustic bring both rustls providers (aws-lc-rs and ring); rustls then refuses to
/// pick one, so choose explicitly before any TLS client is built.
fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// `pusdata operator` flags as run options.
fn operator_options(args: cli::OperatorArgs) -> Result<controllers::run::Options, CliError> {
    let timing = pusdata_core::lease::Timing::from_lease_seconds(args.lease_duration_seconds)
        .ok_or_else(|| CliError::Input("--lease-duration-seconds: at least 3".into()))?;
    // The lease needs a name per replica (the pod name); without election any name will do.
    let identity = match args
        .identity
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|s| !s.is_empty())
    {
        Some(id) => id,
        None if args.lease_name.is_some() => {
            return Err(CliError::Input(
                // The operator runs in a pod: its log is read by either side.
                pusdata_core::t!("cli-operator-lease-needs-identity").to_string(),
            ));
        }
        None => "pusdata-operator".into(),
    };
    let certs = (args.webhook_certs == cli::WebhookCerts::Operator).then(|| {
        controllers::webhook_certs::Settings {
            namespace: args.namespace.clone(),
            secret: args.webhook_secret.clone(),
            service: args.webhook_service.clone(),
            configuration: controllers::webhook_certs::WEBHOOK_CONFIGURATION.into(),
            validity: jiff::SignedDuration::from_hours(24 * i64::from(args.webhook_cert_days)),
        }
    });
    Ok(controllers::run::Options {
        // The DRC's controllers (restore, failover) come with issue #6; at the DRC the
        // operator keeps the lease and the webhook certificate.
        controllers: args.role == cli::Role::Primary,
        platform_namespace: args.platform_namespace,
        views: args.views_listen,
        namespace: args.namespace,
        identity,
        lease: args.lease_name,
        timing,
        certs,
        mover: pusdata_core::backup::job::MoverSettings {
            image: args.mover_image,
            ..Default::default()
        },
    })
}

fn run(command: Command, raw_lang: Option<&str>, lang: Lang) -> Result<(), CliError> {
    match command {
        Command::Chart(args) => cli::chart::run(args.write.as_deref(), args.check.as_deref(), lang),
        Command::Crd(args) => cli::crd::run(args.write.as_deref(), args.check.as_deref(), lang),
        Command::Version => {
            println!(
                "pusdata {} ({} {}, rustc {})",
                env!("CARGO_PKG_VERSION"),
                option_env!("PUSDATA_GIT_COMMIT").unwrap_or("unknown commit"),
                std::env::consts::ARCH,
                option_env!("PUSDATA_RUSTC").unwrap_or("1.95"),
            );
            println!("api: {}/{}", pusdata_crds::GROUP, pusdata_crds::VERSION);
            Ok(())
        }
        Command::Completions(args) => {
            // Into a buffer first: clap_complete panics when it cannot write.
            let mut buf = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "pusdata", &mut buf);
            out::bytes(&buf);
            Ok(())
        }
        Command::Operator(args) => {
            install_crypto_provider();
            let runtime = operator_runtime().map_err(|e| CliError::Internal(e.to_string()))?;
            runtime
                .block_on(controllers::run::run(operator_options(args)?))
                .map_err(|e| CliError::Input(e.to_string()))
        }
        Command::Webhook(args) => cli::webhook::run(&args, lang),
        Command::Probe(args) => cli::probe::run(&args, lang),
        Command::Agent(args) => cli::agent::run(args),
        Command::Mover(m) => cli::mover::run(m),
        Command::Mirror(args) => cli::mirror::run(&args),
        Command::Bench(BenchCommand::Mirror(args)) => cli::bench_mirror::run(&args),
        Command::Bench(BenchCommand::Mover(args)) => cli::bench_mover::run(&args),
        Command::Bench(BenchCommand::Drill(args)) => cli::bench_drill::run(&args),
        Command::Bench(BenchCommand::Operator(args)) => cli::bench_operator::run(&args),
        Command::Bench(BenchCommand::OperatorWorld(args)) => cli::bench_world::run(&args),
        Command::Drill(args) => cli::drill::run(args, lang),
        Command::Policy(PolicyCommand::Check(args)) => cli::policy::run(&args, lang),
        Command::Place(args) => cli::place::run(&args, lang),
        Command::Bench(BenchCommand::Placement(args)) => cli::bench_placement::run(&args),
        Command::Bench(BenchCommand::Webhook(args)) => cli::bench_webhook::webhook(&args),
        Command::Plan(PlanCommand::Check(args)) => cli::plan::check(&args, lang),
        Command::Report(ReportCommand::Compliance(args)) => cli::report::run(&args, raw_lang, lang),
        Command::Report(ReportCommand::Drill(args)) => cli::report::drill(&args, raw_lang, lang),
        Command::Report(ReportCommand::Drills(args)) => cli::report::drills(&args, raw_lang, lang),
    }
}
