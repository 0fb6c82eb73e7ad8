//! The `pusdata` binary.

mod cli;
mod controllers;
mod error;
mod telemetry;
mod webhook;

use clap::CommandFactory;
use cli::{BenchCommand, Cli, Command, PlanCommand, PolicyCommand, ReportCommand};
use error::CliError;
use pusdata_core::i18n::{Lang, Msg};
use std::process::ExitCode;

fn main() -> ExitCode {
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

fn not_built(command: &str, issue: u32) -> Result<(), CliError> {
    Err(CliError::NotBuilt(
        Msg::NotBuilt {
            command: command.to_string(),
            issue,
        }
        .text()
        .to_string(),
    ))
}

fn run(command: Command, raw_lang: Option<&str>, lang: Lang) -> Result<(), CliError> {
    match command {
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
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "pusdata",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Operator(args) => {
            if args.role == cli::Role::Drc {
                return not_built("pusdata operator --role drc", 6);
            }
            install_crypto_provider();
            let runtime =
                tokio::runtime::Runtime::new().map_err(|e| CliError::Internal(e.to_string()))?;
            runtime
                .block_on(controllers::run::run(
                    args.platform_namespace,
                    args.views_listen,
                    pusdata_core::backup::job::MoverSettings {
                        image: args.mover_image,
                        ..Default::default()
                    },
                ))
                .map_err(|e| CliError::Input(format!("cannot reach the Kubernetes API: {e}")))
        }
        Command::Webhook(args) => cli::webhook::run(&args),
        Command::Agent(args) => cli::agent::run(args),
        Command::Mover(m) => cli::mover::run(m),
        Command::Mirror(args) => cli::mirror::run(&args),
        Command::Bench(BenchCommand::Mirror(args)) => cli::bench_mirror::run(&args),
        Command::Bench(BenchCommand::Mover(args)) => cli::mover::bench(&args),
        Command::Bench(BenchCommand::Drill(args)) => cli::bench_drill::run(&args),
        Command::Drill(args) => cli::drill::run(args, lang),
        Command::Policy(PolicyCommand::Check(args)) => cli::policy::run(&args, lang),
        Command::Place(args) => cli::place::run(&args, lang),
        Command::Bench(BenchCommand::Placement(args)) => cli::bench_placement::run(&args),
        Command::Bench(BenchCommand::Webhook(args)) => cli::bench_webhook::webhook(&args),
        Command::Plan(PlanCommand::Check(args)) => cli::plan::check(&args, lang),
        Command::Report(ReportCommand::Compliance(args)) => cli::report::run(&args, raw_lang, lang),
    }
}
