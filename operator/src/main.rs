//! The `pusdata` binary.

mod cli;
mod error;
mod mover;
mod telemetry;

use clap::{CommandFactory, Parser};
use cli::{BenchCommand, Cli, Command, PlanCommand, PolicyCommand};
use error::CliError;
use pusdata_core::i18n::{Lang, Msg};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let lang = language(cli.lang.as_deref());
    match run(cli.command, lang) {
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

fn run(command: Command, lang: Lang) -> Result<(), CliError> {
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
        Command::Operator(_) => not_built("pusdata operator", 4),
        Command::Webhook(_) => not_built("pusdata webhook", 3),
        Command::Agent(_) => not_built("pusdata agent", 6),
        Command::Mover(m) => cli::mover::run(m),
        Command::Bench(BenchCommand::Mover(args)) => cli::mover::bench(&args),
        Command::Policy(PolicyCommand::Check(_)) => not_built("pusdata policy check", 3),
        Command::Place(_) => not_built("pusdata place", 4),
        Command::Plan(PlanCommand::Check(_)) => not_built("pusdata plan check", 6),
        Command::Drill(_) => not_built("pusdata drill", 6),
    }
}
